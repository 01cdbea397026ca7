//! The charts' font, carried by their SVGs: a subset of DejaVu Sans holding only the glyphs a
//! chart's text uses, embedded as an `@font-face` with a `data:` URL, so a viewer without
//! DejaVu Sans draws the labels as the program measured them (widths, layout) instead of in
//! a fallback font.
//!
//! A chart file carries its own font ([`standalone`]); a page showing several charts inline
//! carries one font for all of them ([`font_faces`] in its head, the charts as drawn by
//! [`super::Figure::page_svg`]), so a report does not repeat the font once per chart. The
//! subset is cut by `skera` (the fontations port of HarfBuzz's subsetter); the name table's
//! copyright, licence and its URL stay in it, as DejaVu's licence asks.

use std::collections::BTreeSet;

use base64::Engine as _;
use read_fonts::collections::IntSet;
use read_fonts::types::{NameId, Tag};
use sha2::{Digest, Sha256};

use super::ChartError;

/// DejaVu Sans, the charts' font (regular).
pub(crate) const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold.
pub(crate) const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// The family the charts' text names first: a name of the program's own, so an installed
/// DejaVu Sans (perhaps another version) is never taken for the embedded subset.
pub const FAMILY: &str = "loyalty-sim DejaVu Sans";

/// The `font-family` plotters writes on every text element.
const PLOTTERS_FAMILY: &str = "font-family=\"sans-serif\"";

/// Opens the style block [`standalone`] adds, so [`page_svg`] can find and remove it.
const STYLE_OPEN: &str = "<style id=\"loyalty-sim-font\">";

/// The characters of a chart's text, by weight.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsedText {
    /// Characters of the text drawn in the regular weight.
    pub regular: BTreeSet<char>,
    /// Characters of the text drawn in bold.
    pub bold: BTreeSet<char>,
}

impl UsedText {
    /// The characters of every `<text>` element of `svg` (as plotters writes them: the text
    /// directly inside, XML-escaped), by weight; control characters (the line feed plotters
    /// ends each text with) are left out.
    pub fn of_svg(svg: &str) -> UsedText {
        let mut used = UsedText::default();
        let mut rest = svg;
        while let Some(start) = rest.find("<text") {
            rest = &rest[start..];
            let Some(open_end) = rest.find('>') else {
                break;
            };
            let tag = &rest[..open_end];
            let body = &rest[open_end + 1..];
            let Some(close) = body.find("</text>") else {
                break;
            };
            let set = if tag.contains("font-weight=\"bold\"") {
                &mut used.bold
            } else {
                &mut used.regular
            };
            set.extend(unescape(&body[..close]).chars().filter(|c| !c.is_control()));
            rest = &body[close..];
        }
        used
    }

    /// Both weights' characters together with `other`'s.
    pub fn extend(&mut self, other: &UsedText) {
        self.regular.extend(&other.regular);
        self.bold.extend(&other.bold);
    }
}

/// `text` with the five XML entities (the only escapes plotters writes) replaced.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The value of the `font-family` attribute naming `family` first, then an installed DejaVu
/// Sans, then any sans-serif font.
fn family_attribute(family: &str) -> String {
    format!("font-family=\"'{family}', 'DejaVu Sans', sans-serif\"")
}

/// An SVG as plotters wrote it, its text naming [`FAMILY`] first: what a page carrying the
/// font in its head (see [`font_faces`]) shows inline.
pub(crate) fn name_family(plotters_svg: &str) -> String {
    plotters_svg.replace(PLOTTERS_FAMILY, &family_attribute(FAMILY))
}

/// `font` cut down to the glyphs of `chars` (and those its layout tables reach from them),
/// with its kerning and hinting kept: a report shows a chart at about half its size, where
/// unhinted labels of 6 pixels lose the spaces between words (seen in Chromium).
pub fn subset(font: &[u8], chars: &BTreeSet<char>) -> Result<Vec<u8>, ChartError> {
    let err = |message: String| ChartError::Font { message };
    let font = read_fonts::FontRef::new(font).map_err(|e| err(e.to_string()))?;
    let unicodes: IntSet<u32> = chars.iter().map(|&c| u32::from(c)).collect();
    let drop_tables: IntSet<Tag> = skera::DEFAULT_DROP_TABLES.iter().copied().collect();
    let mut layout_scripts = IntSet::<Tag>::empty();
    layout_scripts.invert();
    let layout_features: IntSet<Tag> = skera::DEFAULT_LAYOUT_FEATURES.iter().copied().collect();
    // Copyright, family and style names, version, PostScript name (HarfBuzz's default), and
    // the licence with its URL.
    let mut name_ids = IntSet::<NameId>::empty();
    name_ids.insert_range(NameId::new(0)..=NameId::new(6));
    name_ids.insert(NameId::new(13));
    name_ids.insert(NameId::new(14));
    let mut name_languages = IntSet::<u16>::empty();
    name_languages.insert(0x0409);
    let plan = skera::Plan::new(
        &IntSet::empty(),
        &unicodes,
        &font,
        skera::SubsetFlags::SUBSET_FLAGS_DEFAULT,
        &drop_tables,
        &layout_scripts,
        &layout_features,
        &name_ids,
        &name_languages,
    );
    skera::subset_font(&font, &plan).map_err(|e| err(e.to_string()))
}

/// CSS `@font-face` rules declaring `family`: a subset of DejaVu Sans for `used.regular` and
/// one of DejaVu Sans Bold for `used.bold` (a weight no text uses is left out).
pub fn font_faces(family: &str, used: &UsedText) -> Result<String, ChartError> {
    let mut css = String::new();
    for (chars, ttf, weight) in [
        (&used.regular, REGULAR_TTF, "normal"),
        (&used.bold, BOLD_TTF, "bold"),
    ] {
        if chars.is_empty() {
            continue;
        }
        let data = base64::engine::general_purpose::STANDARD.encode(subset(ttf, chars)?);
        css.push_str(&format!(
            "@font-face{{font-family:'{family}';font-weight:{weight};font-style:normal;src:url(data:font/ttf;base64,{data}) format('truetype')}}\n"
        ));
    }
    Ok(css)
}

/// The family a chart file's own subset is declared as: [`FAMILY`] and a tag of the
/// characters it holds. Two charts inlined by someone into one page then declare two
/// families, and neither chart's text falls back to the other's smaller subset.
fn tagged_family(used: &UsedText) -> String {
    let mut hash = Sha256::new();
    hash.update(used.regular.iter().collect::<String>());
    hash.update([0u8]);
    hash.update(used.bold.iter().collect::<String>());
    let digest = hash.finalize();
    let tag: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
    format!("{FAMILY} {tag}")
}

/// A page SVG (from [`name_family`]) as a file that carries its font: a `<style>` after the
/// opening `<svg>` tag declaring the subset of its own text, under a family named for it.
pub fn standalone(page_svg: &str) -> Result<String, ChartError> {
    let used = UsedText::of_svg(page_svg);
    let family = tagged_family(&used);
    let css = font_faces(&family, &used)?;
    let svg = page_svg.replace(&family_attribute(FAMILY), &family_attribute(&family));
    let Some(open_end) = svg
        .find("<svg")
        .and_then(|s| svg[s..].find('>').map(|e| s + e + 1))
    else {
        return Ok(svg);
    };
    Ok(format!(
        "{}\n{STYLE_OPEN}\n{css}</style>{}",
        &svg[..open_end],
        &svg[open_end..]
    ))
}

/// A chart file written by [`standalone`] as a page shows it inline: without its own font,
/// its text naming [`FAMILY`] (declared once by the page, see [`font_faces`]). Any other SVG
/// is returned as it is.
pub fn page_svg(standalone_svg: &str) -> String {
    let Some(start) = standalone_svg.find(STYLE_OPEN) else {
        return standalone_svg.to_string();
    };
    let Some(len) = standalone_svg[start..].find("</style>") else {
        return standalone_svg.to_string();
    };
    let used = UsedText::of_svg(standalone_svg);
    // The line feed before the style block is the one `standalone` added.
    let head = standalone_svg[..start]
        .strip_suffix('\n')
        .unwrap_or(&standalone_svg[..start]);
    let svg = format!(
        "{head}{}",
        &standalone_svg[start + len + "</style>".len()..]
    );
    svg.replace(
        &family_attribute(&tagged_family(&used)),
        &family_attribute(FAMILY),
    )
}

/// The `@font-face` rules a page showing `svgs` inline (as [`page_svg`] or
/// [`super::Figure::page_svg`] gives them) needs: one subset per weight for all of them.
pub fn page_font_faces<'a>(svgs: impl IntoIterator<Item = &'a str>) -> Result<String, ChartError> {
    let mut used = UsedText::default();
    for svg in svgs {
        used.extend(&UsedText::of_svg(svg));
    }
    font_faces(FAMILY, &used)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chart as plotters writes one: a regular label with an escaped ampersand, a bold
    /// title, both naming [`FAMILY`] as [`name_family`] leaves them.
    fn page() -> String {
        name_family(concat!(
            "<svg width=\"100\" height=\"50\" viewBox=\"0 0 100 50\" xmlns=\"http://www.w3.org/2000/svg\">\n",
            "<text x=\"1\" y=\"2\" font-family=\"sans-serif\" font-size=\"10\">A &amp; b\n</text>\n",
            "<text x=\"1\" y=\"9\" font-family=\"sans-serif\" font-size=\"20\" font-weight=\"bold\">€1\n</text>\n",
            "</svg>\n"
        ))
    }

    #[test]
    fn the_text_is_read_by_weight_unescaped() {
        let used = UsedText::of_svg(&page());
        assert_eq!(used.regular, "A &b".chars().collect());
        assert_eq!(used.bold, "€1".chars().collect());
    }

    #[test]
    fn a_chart_file_carries_its_font_and_a_page_takes_it_back_out() {
        let page = page();
        let file = standalone(&page).unwrap_or_default();
        assert!(file.starts_with("<svg width=\"100\""));
        // One rule per weight, under the family the text names first.
        assert_eq!(file.matches("@font-face").count(), 2);
        let family = tagged_family(&UsedText::of_svg(&page));
        assert!(file.contains(&format!("font-family:'{family}';font-weight:bold")));
        assert_eq!(file.matches(&family_attribute(&family)).count(), 2);
        assert!(!file.contains(&family_attribute(FAMILY)));
        assert_eq!(page_svg(&file), page);
        // Another text, another family: two charts inlined into one page keep their fonts.
        let other = page.replace("A &amp; b", "Z");
        assert_ne!(tagged_family(&UsedText::of_svg(&other)), family);
    }

    #[test]
    fn the_subset_is_a_small_font_with_the_glyphs_asked_for() {
        let chars: BTreeSet<char> = "Payback month 0123456789 €%".chars().collect();
        let font = subset(REGULAR_TTF, &chars).unwrap_or_default();
        let face = ttf_parser::Face::parse(&font, 0);
        assert!(face.is_ok());
        if let Ok(face) = face {
            for c in &chars {
                assert!(face.glyph_index(*c).is_some_and(|g| g.0 != 0), "{c:?}");
            }
            assert!(face.glyph_index('Q').is_none());
            // The licence stays with the font (name 13).
            assert!(face.names().into_iter().any(|n| n.name_id == 13));
        }
        // DejaVu Sans is 759,720 bytes; about 30 glyphs with their hinting, the licence in
        // the name table (10 kB) and the kerning are some 20 kB.
        assert!(font.len() < 30_000, "{} bytes", font.len());
    }
}
