"""calibrate from Python against the command line: the same log gives the same fit and the
same scenario, a DataFrame the same fit as the file, and a bad row the command's message."""

import json
import subprocess

import pytest

import loyalty_sim

from conftest import DATA

CDNOW = DATA / "cdnow" / "CDNOW_sample.txt"
# The published example's periods (Fader, Hardie & Lee 2005: 39 weeks of calibration, then
# the holdout to the end of June 1998), in the log's dollars against the euro template.
PERIODS = {"calibration_end": "1997-09-30", "holdout_end": "1998-06-30"}
MONEY = {"currency": "USD", "exchange_rate": 1.08}


def cli_calibrate(cli, log, out, *args):
    """`loyalty-sim calibrate LOG … --out OUT`; the folder (with OUT/scenario.toml)."""
    subprocess.run(
        [str(cli), "-q", "calibrate", str(log), "--calibration-end", PERIODS["calibration_end"],
         "--holdout-end", PERIODS["holdout_end"], "--currency", "USD", "--exchange-rate",
         "1.08", "--no-charts", "--out", str(out),
         *args],
        check=True,
    )
    return out


def without(summary, *keys):
    """calibration.json without the keys that name where it came from or went."""
    return {k: v for k, v in summary.items() if k not in keys}


@pytest.fixture(scope="module")
def from_file():
    return loyalty_sim.calibrate(CDNOW, **PERIODS, **MONEY)


def test_calibrate_equals_the_command_lines_calibration_json(cli, tmp_path, from_file):
    out = cli_calibrate(cli, CDNOW, tmp_path / "cli")
    with open(out / "calibration.json") as f:
        expected = json.load(f)
    # Everything but the path the command wrote the scenario to: the fitted parameters, the
    # checks, the population, the log's name and SHA-256.
    assert without(from_file.summary, "scenario") == without(expected, "scenario")
    assert from_file.calibration is from_file.summary
    assert from_file.summary["bgnbd"]["r"] == expected["bgnbd"]["r"]
    # The scenario is the command's scenario.toml, word for word, and loads as it is.
    assert from_file.scenario == (out / "scenario.toml").read_text()
    run = loyalty_sim.run(from_file.scenario, trials=2, seed=1)
    assert run.summary["metadata"]["currency"] == "USD"
    # customers.csv: one row per customer of the cohort (2,357 in the CDNOW sample), ids as
    # written in the log.
    pandas = pytest.importorskip("pandas")
    assert isinstance(from_file.customers, pandas.DataFrame)
    expected_customers = pandas.read_csv(out / "customers.csv", dtype={"customer_id": str})
    pandas.testing.assert_frame_equal(from_file.customers, expected_customers, check_exact=True)
    assert len(from_file.customers) == from_file.summary["input"]["customers"] == 2357
    assert from_file.customers["customer_id"].iloc[0] == "00004"


def cdnow_records():
    """The CDNOW sample as records: its id, date (YYYYMMDD), quantity and amount columns."""
    records = []
    for line in CDNOW.read_text().splitlines():
        cells = line.split()
        if not cells:
            continue
        day = cells[2]
        records.append({
            "customer_id": cells[0],
            "date": f"{day[:4]}-{day[4:6]}-{day[6:]}",
            "amount": float(cells[4]),
            "quantity": int(cells[3]),
        })
    return records


def test_a_dataframe_gives_the_same_fit_as_the_file(from_file):
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(cdnow_records())
    frame["date"] = pandas.to_datetime(frame["date"])  # dates, not text, as notebooks have them
    got = loyalty_sim.calibrate(frame, quantity_column="quantity", **PERIODS, **MONEY)
    # The same fit; only the log's name, checksum and how its decimal mark was told differ.
    assert without(got.summary, "input", "scenario") == without(from_file.summary, "input", "scenario")
    assert got.summary["input"]["file"] == "<DataFrame>"
    assert got.summary["input"]["transactions"] == from_file.summary["input"]["transactions"]
    # Other column names, given.
    renamed = frame.rename(columns={"customer_id": "client", "amount": "spend", "date": "day"})
    again = loyalty_sim.calibrate(
        renamed, customer_column="client", date_column="day", amount_column="spend", **PERIODS,
        **MONEY,
    )
    assert again.summary["bgnbd"] == got.summary["bgnbd"]


def test_a_list_of_dicts_without_pandas_gives_the_same_fit(monkeypatch, from_file):
    monkeypatch.setattr(loyalty_sim, "_pandas", lambda: None)
    got = loyalty_sim.calibrate(cdnow_records(), **PERIODS, **MONEY)
    assert got.summary["bgnbd"] == from_file.summary["bgnbd"]
    assert got.summary["gamma_gamma"] == from_file.summary["gamma_gamma"]
    assert isinstance(got.customers, list) and len(got.customers) == 2357
    assert got.customers[0]["customer_id"] == "00004"


def test_a_bad_row_raises_with_its_line_and_column(cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "customer_id,date,amount\n"
        "a,2024-01-03,10.5\n"
        "b,2024-01-04,ten\n"  # line 3: the amount is not a number
    )
    with pytest.raises(loyalty_sim.TransactionLogError) as raised:
        loyalty_sim.calibrate(bad, calibration_end="2024-06-30")
    message = str(raised.value)
    assert f"{bad}, line 3, column `amount`" in message
    assert isinstance(raised.value, loyalty_sim.ValidationError)
    assert isinstance(raised.value, ValueError)
    # Word for word what the command prints after "error: ".
    done = subprocess.run(
        [str(cli), "calibrate", str(bad), "--calibration-end", "2024-06-30",
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == f"error: {message}".strip()
    # Records: the header is line 1, so the second record is line 3.
    records = [
        {"customer_id": "a", "date": "2024-01-03", "amount": 10.5},
        {"customer_id": "b", "date": "2024-01-04", "amount": "ten"},
    ]
    with pytest.raises(loyalty_sim.TransactionLogError, match=r"<records>, line 3, column `amount`"):
        loyalty_sim.calibrate(records, calibration_end="2024-06-30")
    with pytest.raises(ValueError, match="calibration_end 30/06/2024: expected a date as YYYY-MM-DD"):
        loyalty_sim.calibrate(records, calibration_end="30/06/2024")
    with pytest.raises(ValueError, match="model \"nbd\""):
        loyalty_sim.calibrate(records, calibration_end="2024-06-30", model="nbd")
