//! A small, bounded element tree over quick-xml's reader: what the autoconfig and Autodiscover
//! readers walk. Hostile documents are refused with a reason, never expanded: no DTD, no
//! entities beyond XML's five and character references, bounded depth, element count and text.

use quick_xml::events::Event;
use quick_xml::Reader;

/// Deepest nesting accepted (Autodiscover needs 5, autoconfig 4).
pub const MAX_DEPTH: usize = 16;
/// Most elements in one document.
pub const MAX_ELEMENTS: usize = 2_000;
/// Longest text of one element.
pub const MAX_TEXT: usize = 4_096;

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlError {
    /// The bytes are not text in the encoding they declare (UTF-8 when none), or the declared
    /// encoding is not one a browser knows (its label, escaped).
    Encoding(Option<String>),
    /// A `<!DOCTYPE>`: entity declarations are how XML bombs and external fetches start.
    Doctype,
    /// An entity other than XML's five predefined ones.
    Entity(String),
    TooDeep,
    TooManyElements,
    TextTooLong,
    /// Not well-formed: the parser's words (escaped).
    Syntax(String),
    /// No root element.
    Empty,
}

/// An element: its local name (namespaces dropped), attributes, trimmed text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child of that local name (ASCII case-insensitive, as Outlook reads them).
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children
            .iter()
            .filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// The text of the first child of that name, when it has any.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The document as text, decoded as XML says (section 4.3.3, appendix F): a byte-order mark
/// first (UTF-8, UTF-16), else the declaration's `encoding` (ISO-8859-1, windows-1252, …, as
/// Thunderbird reads them), else UTF-8. Bytes that are not valid in that encoding are refused.
fn decode(body: &[u8]) -> Result<std::borrow::Cow<'_, str>, XmlError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(body) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&body[bom..])
            .ok_or(XmlError::Encoding(None));
    }
    let encoding = match declared_encoding(body) {
        None => encoding_rs::UTF_8,
        Some(label) => encoding_rs::Encoding::for_label(label.as_bytes())
            // UTF-16 without a byte-order mark cannot have been read this far as ASCII.
            .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
            .ok_or_else(|| {
                XmlError::Encoding(Some(crate::text::truncate(
                    &crate::text::clean_name(&label),
                    40,
                )))
            })?,
    };
    encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or(XmlError::Encoding(None))
}

/// The `encoding` of an XML declaration at the very start, read as ASCII.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = body.get(..body.len().min(200))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = head.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&head[..end]);
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_string())
}

/// Parses `body` into its root element.
pub fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let decoded = decode(body)?;
    let text = decoded.as_ref();
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut count = 0usize;
    let mut root: Option<Element> = None;
    loop {
        let event = reader.read_event().map_err(syntax)?;
        match event {
            // The encoding was honoured in `decode`.
            Event::Decl(_) => {}
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError::Syntax("content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                stack.push(element(&start)?);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooManyElements);
                }
                let done = element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::End(_) => {
                let Some(mut done) = stack.pop() else {
                    return Err(XmlError::Syntax("unexpected end tag".into()));
                };
                done.text = done.text.trim().to_string();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content())?,
            Event::CData(c) => {
                push_text(&mut stack, &c)?;
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .map_err(syntax)?
                        .ok_or_else(|| XmlError::Syntax("bad character reference".into()))?
                        .to_string()
                } else {
                    let name = r.to_string();
                    predefined(&name)
                        .ok_or_else(|| XmlError::Entity(crate::text::clean_name(&name)))?
                        .to_string()
                };
                push_text(&mut stack, &resolved)?;
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Syntax(
            "the document ends inside an element".into(),
        ));
    }
    root.ok_or(XmlError::Empty)
}

fn syntax(e: impl std::fmt::Display) -> XmlError {
    XmlError::Syntax(crate::text::truncate(
        &crate::text::clean_name(&e.to_string()),
        120,
    ))
}

fn predefined(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

fn push_text(stack: &mut [Element], text: &str) -> Result<(), XmlError> {
    // Text outside the root element (whitespace between declaration and root) is ignored.
    if let Some(current) = stack.last_mut() {
        if current.text.len() + text.len() > MAX_TEXT {
            return Err(XmlError::TextTooLong);
        }
        current.text.push_str(text);
    }
    Ok(())
}

fn element(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, XmlError> {
    let name = start.local_name().as_ref().to_string();
    let mut attributes = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(syntax)?;
        let key = attr.key.local_name().as_ref().to_string();
        let value =
            attr.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| match e {
                    quick_xml::Error::Escape(
                        quick_xml::escape::EscapeError::UnrecognizedEntity(_, n),
                    ) => XmlError::Entity(crate::text::clean_name(&n)),
                    other => syntax(other),
                })?;
        if value.len() > MAX_TEXT {
            return Err(XmlError::TextTooLong);
        }
        attributes.push((key, value.trim().to_string()));
    }
    Ok(Element {
        name,
        attributes,
        ..Element::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_elements_attributes_and_references() {
        let root = parse(
            br#"<?xml version="1.0" encoding="UTF-8"?>
<a:root xmlns:a="urn:x"><item type="imap">x &amp; y &#65;<![CDATA[<z>]]></item><e k="1"/></a:root>"#,
        )
        .unwrap();
        assert_eq!(root.name, "root");
        assert_eq!(root.text_of("item"), Some("x & y A<z>"));
        assert_eq!(root.child("ITEM").unwrap().attribute("type"), Some("imap"));
        assert_eq!(root.child("e").unwrap().attribute("k"), Some("1"));
    }

    #[test]
    fn refuses_hostile_documents() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>"#;
        assert_eq!(parse(bomb), Err(XmlError::Doctype));
        assert_eq!(parse(b"<r>&ext;</r>"), Err(XmlError::Entity("ext".into())));
        let deep = format!("{}{}", "<a>".repeat(40), "</a>".repeat(40));
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        let many = format!("<r>{}</r>", "<a/>".repeat(MAX_ELEMENTS + 1));
        assert_eq!(parse(many.as_bytes()), Err(XmlError::TooManyElements));
        assert_eq!(
            parse(br#"<?xml version="1.0" encoding="x-klingon"?><r/>"#),
            Err(XmlError::Encoding(Some("x-klingon".into())))
        );
        assert_eq!(parse(b"<r>\xff</r>"), Err(XmlError::Encoding(None)));
        assert!(matches!(parse(b"<r><a></r>"), Err(XmlError::Syntax(_))));
        assert_eq!(parse(b"  "), Err(XmlError::Empty));
        let long = format!("<r>{}</r>", "x".repeat(MAX_TEXT + 1));
        assert_eq!(parse(long.as_bytes()), Err(XmlError::TextTooLong));
    }

    #[test]
    fn documents_in_other_encodings_are_read_as_thunderbird_reads_them() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r>M\xfcller</r>";
        assert_eq!(parse(latin1).unwrap().text, "M\u{fc}ller");
        let mut utf16 = vec![0xff, 0xfe];
        for unit in "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>\u{e9}t\u{e9}</r>".encode_utf16()
        {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(parse(&utf16).unwrap().text, "\u{e9}t\u{e9}");
        let bom8 = b"\xef\xbb\xbf<r>ok</r>";
        assert_eq!(parse(bom8).unwrap().text, "ok");
    }
}
