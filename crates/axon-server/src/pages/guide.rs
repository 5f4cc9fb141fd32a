//! The integration guide (`docs/integration.md`) served as a page at `/docs/integration`, so an
//! empty dashboard can link straight to "how to install the tracker" on the server it runs on,
//! offline. A small renderer for the markdown the guide is written in (headings with GitHub's
//! anchors, so `#1-the-tracker` works here and on GitHub; code fences, tables, lists,
//! paragraphs, `code`, **bold**, links); everything is escaped.

use super::esc;
use axum::response::Html;
use utoipa_axum::{router::OpenApiRouter, routes};

const GUIDE: &str = include_str!("../../../../docs/integration.md");

pub fn router<S: Clone + Send + Sync + 'static>() -> OpenApiRouter<S> {
    OpenApiRouter::new().routes(routes!(integration))
}

/// The integration guide as a page.
#[utoipa::path(get, path = "/docs/integration", tag = "docs", security(()),
    responses((status = 200, content_type = "text/html", body = String)))]
async fn integration() -> Html<String> {
    page()
}

fn page() -> Html<String> {
    Html(format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Axon · Integration guide</title><link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/assets/app.css"></head>
<body><header><span class="brand">Axon</span><a href="/admin/dashboard/overview">개요 · Overview</a></header><main class="guide">{}</main></body></html>"#,
        render(GUIDE)
    ))
}

/// GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens.
pub fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The markdown as HTML: headings, code fences, tables, lists and paragraphs — the subset the
/// guide is written in.
fn render(md: &str) -> String {
    let mut out = String::new();
    let mut block: Vec<&str> = Vec::new();
    let mut lines = md.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut block, &mut out);
            // The fence's own indentation (a fence inside a list item) is not part of the code.
            let indent = line.len() - trimmed.len();
            let mut code = String::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                let cut = l.len() - l.trim_start().len();
                code.push_str(&l[cut.min(indent)..]);
                code.push('\n');
            }
            out.push_str(&format!("<pre><code>{}</code></pre>", esc(&code)));
            continue;
        }
        let level = line.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&level) && line[level..].starts_with(' ') {
            flush(&mut block, &mut out);
            let title = line[level..].trim();
            out.push_str(&format!(
                r#"<h{level} id="{}">{}</h{level}>"#,
                esc(&anchor(title)),
                inline(title)
            ));
        } else if line.trim().is_empty() {
            flush(&mut block, &mut out);
        } else {
            block.push(line);
        }
    }
    flush(&mut block, &mut out);
    out
}

/// One block of text lines: a table (`|` rows), a list (`- ` items with indented
/// continuation lines) or a paragraph.
fn flush(block: &mut Vec<&str>, out: &mut String) {
    if block.is_empty() {
        return;
    }
    if block.iter().all(|l| l.trim_start().starts_with('|')) {
        out.push_str("<div class=\"tablewrap\"><table>");
        let rows = block
            .iter()
            .filter(|l| !l.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')));
        for (i, row) in rows.enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            out.push_str("<tr>");
            for cell in split_row(row) {
                out.push_str(&format!("<{tag}>{}</{tag}>", inline(cell)));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table></div>");
    } else if block[0].starts_with("- ") {
        let mut items: Vec<String> = Vec::new();
        for l in block.iter() {
            if let Some(item) = l.strip_prefix("- ") {
                items.push(item.trim().to_string());
            } else if let Some(last) = items.last_mut() {
                last.push(' ');
                last.push_str(l.trim());
            } else {
                items.push(l.trim().to_string());
            }
        }
        out.push_str("<ul>");
        for item in items {
            out.push_str(&format!("<li>{}</li>", inline(&item)));
        }
        out.push_str("</ul>");
    } else {
        let text: Vec<&str> = block.iter().map(|l| l.trim()).collect();
        out.push_str(&format!("<p>{}</p>", inline(&text.join(" "))));
    }
    block.clear();
}

/// A table row's cells, without the outer pipes; a `|` inside backticks stays in its cell.
fn split_row(row: &str) -> Vec<&str> {
    let row = row.trim().trim_start_matches('|').trim_end_matches('|');
    let (mut cells, mut start, mut code) = (Vec::new(), 0, false);
    for (i, c) in row.char_indices() {
        match c {
            '`' => code = !code,
            '|' if !code => {
                cells.push(row[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    cells.push(row[start..].trim());
    cells
}

/// Inline markup: `code`, **bold** and [text](link), everything else escaped.
fn inline(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('`') {
            if let Some(end) = r.find('`') {
                out.push_str(&format!("<code>{}</code>", esc(&r[..end])));
                rest = &r[end + 1..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix("**") {
            if let Some(end) = r.find("**") {
                out.push_str(&format!("<strong>{}</strong>", inline(&r[..end])));
                rest = &r[end + 2..];
                continue;
            }
        }
        if let Some(r) = rest.strip_prefix('[') {
            if let Some((text, tail)) = r.split_once("](") {
                if let Some((href, after)) = tail.split_once(')') {
                    if !text.contains(']') {
                        out.push_str(&format!(r#"<a href="{}">{}</a>"#, esc(href), inline(text)));
                        rest = after;
                        continue;
                    }
                }
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        out.push_str(&esc(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_githubs() {
        assert_eq!(anchor("1. The tracker"), "1-the-tracker");
        assert_eq!(
            anchor("2. The FCFS gate (first come, first served)"),
            "2-the-fcfs-gate-first-come-first-served"
        );
        assert_eq!(
            anchor("4. Import files (`axon import --dir DIR`, server stopped)"),
            "4-import-files-axon-import---dir-dir-server-stopped"
        );
    }

    #[test]
    fn blocks_and_inline_markup_are_rendered_and_escaped() {
        let html = render(
            "# Title\n\nSome <b> text\nwrapped, `a|b` and **bold** [guide](/docs/x)\n\n- one\n  continued\n- two\n  ```sh\n  curl -d '{}'\n    indented\n  ```\n\n## 1. The tracker\n\n```html\n<script>\n  x = 1;\n</script>\n```\n| file | columns |\n|---|---|\n| `a.csv` | `id,name` |\n",
        );
        assert_eq!(
            html,
            "<h1 id=\"title\">Title</h1>\
             <p>Some &lt;b&gt; text wrapped, <code>a|b</code> and <strong>bold</strong> <a href=\"/docs/x\">guide</a></p>\
             <ul><li>one continued</li><li>two</li></ul>\
             <pre><code>curl -d &#39;{}&#39;\n  indented\n</code></pre>\
             <h2 id=\"1-the-tracker\">1. The tracker</h2>\
             <pre><code>&lt;script&gt;\n  x = 1;\n&lt;/script&gt;\n</code></pre>\
             <div class=\"tablewrap\"><table><tr><th>file</th><th>columns</th></tr>\
             <tr><td><code>a.csv</code></td><td><code>id,name</code></td></tr></table></div>"
        );
    }

    #[test]
    fn the_guide_has_the_tracker_section_the_empty_dashboard_links_to() {
        let html = render(GUIDE);
        assert!(html.contains(r#"<h2 id="1-the-tracker">"#), "{html}");
        assert!(html.contains("axon.js"));
    }
}
