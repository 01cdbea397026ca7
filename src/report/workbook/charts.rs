//! The Charts sheet: native Excel charts drawn from the Monthly sheet, so they follow its
//! numbers: the cumulative cash flow's fan (mean, median and the 90% band), the net cash flow
//! month by month, and the liability.

use rust_xlsxwriter::{
    Chart, ChartAxisLabelPosition, ChartLegendPosition, ChartLine, ChartLineDashType, ChartType,
    Color, Worksheet,
};

use super::{MonthlyLayout, xlsx};
use crate::metrics::finance::Series;
use crate::report::ReportError;
use crate::run::RunOutput;

/// Chart size in pixels: two fit side by side on a landscape page.
const WIDTH: u32 = 620;
const HEIGHT: u32 = 340;

/// A line: its statistic's offset from the mean's column (0 mean, 1 median, 2 p5, 3 p95), its
/// colour and dash.
#[derive(Clone, Copy)]
struct Line {
    offset: u16,
    color: u32,
    dash: Option<ChartLineDashType>,
}

/// A line chart of `parts` from the Monthly sheet, one line per series and statistic, from
/// month `first` (0, the investment, or 1) to the horizon.
fn fan(
    layout: &MonthlyLayout,
    first: u32,
    title: &str,
    parts: &[(Series, &[Line])],
    num_format: &str,
) -> Chart {
    let mut chart = Chart::new(ChartType::Line);
    chart.title().set_name(title);
    chart.set_width(WIDTH).set_height(HEIGHT);
    // Month labels every sixth month, below the plot even where the values are negative.
    chart
        .x_axis()
        .set_name("Month")
        .set_label_position(ChartAxisLabelPosition::Low)
        .set_label_interval(6)
        .set_tick_interval(6);
    chart.y_axis().set_num_format(num_format);
    chart.legend().set_position(ChartLegendPosition::Bottom);
    let last = layout.last_row;
    for (series, lines) in parts {
        let Some(mean) = layout.mean(*series) else {
            continue;
        };
        for line in *lines {
            let col = mean + line.offset;
            let mut style = ChartLine::new();
            style.set_color(Color::RGB(line.color)).set_width(1.5);
            if let Some(d) = line.dash {
                style.set_dash_type(d);
            }
            chart
                .add_series()
                .set_name(("Monthly", 0, col))
                .set_categories(("Monthly", 1 + first, 0, last, 0))
                .set_values(("Monthly", 1 + first, col, last, col))
                .set_format(&mut style);
        }
    }
    chart
}

/// Writes the Charts sheet.
pub(super) fn charts(
    sheet: &mut Worksheet,
    run: &RunOutput,
    layout: &MonthlyLayout,
) -> Result<(), ReportError> {
    let c = &run.scenario.finance.currency;
    let symbol = c.symbol.replace('"', "");
    let money = if symbol.chars().count() == 1 {
        format!("\"{symbol}\"#,##0")
    } else {
        format!("#,##0 \"{symbol}\"")
    };
    let band = [
        Line {
            offset: 0,
            color: 0x1F4E79,
            dash: None,
        },
        Line {
            offset: 1,
            color: 0x2E75B6,
            dash: Some(ChartLineDashType::Dash),
        },
        Line {
            offset: 2,
            color: 0xA6A6A6,
            dash: Some(ChartLineDashType::RoundDot),
        },
        Line {
            offset: 3,
            color: 0xA6A6A6,
            dash: Some(ChartLineDashType::RoundDot),
        },
    ];
    sheet
        .write_string(
            0,
            0,
            "Charts of the Monthly sheet: mean, median and the 90% band (5th to 95th percentile) over the trials. The cumulative cash flow starts at month 0, the investment.",
        )
        .map_err(xlsx)?;
    let cumulative = fan(
        layout,
        0,
        "Cumulative cash flow",
        &[(Series::CumulativeCashFlow, &band)],
        &money,
    );
    // From month 1: the investment would flatten the months' lines.
    let net = fan(
        layout,
        1,
        "Net cash flow, month by month (the investment at month 0 left out)",
        &[(Series::NetCashFlow, &band)],
        &money,
    );
    let liability = fan(
        layout,
        1,
        "Liability by month",
        &[
            (Series::Liability, &[band[0], band[3]]),
            (
                Series::Ifrs15ContractLiability,
                &[Line {
                    offset: 0,
                    color: 0xC55A11,
                    dash: Some(ChartLineDashType::Dash),
                }],
            ),
        ],
        &money,
    );
    sheet.insert_chart(2, 0, &cumulative).map_err(xlsx)?;
    sheet.insert_chart(2, 10, &net).map_err(xlsx)?;
    sheet.insert_chart(21, 0, &liability).map_err(xlsx)?;
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 1);
    Ok(())
}
