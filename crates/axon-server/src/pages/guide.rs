//! The integration guide (`docs/integration.md`) served as a page at `/docs/integration`, so an
//! empty dashboard can link straight to "how to install the tracker" on the server it runs on,
//! offline. The markdown is shown as written (it reads well as text): headings become anchored
//! headings (GitHub's anchors, so `#1-the-tracker` works here and on GitHub), fenced code
//! becomes code blocks, everything else is preformatted text.

use super::esc;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

const GUIDE: &str = include_str!("../../../../docs/integration.md");

pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/docs/integration", get(|| async { page() }))
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

/// The markdown as HTML: headings, code fences, and text blocks in between.
fn render(md: &str) -> String {
    let mut out = String::new();
    let mut text = String::new();
    let mut code: Option<String> = None;
    let flush = |text: &mut String, out: &mut String| {
        let t = text.trim_matches('\n');
        if !t.trim().is_empty() {
            out.push_str(&format!(r#"<pre class="md">{}</pre>"#, esc(t)));
        }
        text.clear();
    };
    for line in md.lines() {
        let fence = line.trim_start().starts_with("```");
        if let Some(block) = code.as_mut() {
            if fence {
                out.push_str(&format!("<pre><code>{}</code></pre>", esc(block)));
                code = None;
            } else {
                block.push_str(line.strip_prefix("  ").unwrap_or(line));
                block.push('\n');
            }
            continue;
        }
        if fence {
            flush(&mut text, &mut out);
            code = Some(String::new());
            continue;
        }
        let level = line.chars().take_while(|c| *c == '#').count();
        if (1..=4).contains(&level) && line[level..].starts_with(' ') {
            flush(&mut text, &mut out);
            let title = line[level..].trim();
            out.push_str(&format!(
                r#"<h{level} id="{}">{}</h{level}>"#,
                esc(&anchor(title)),
                esc(title)
            ));
            continue;
        }
        text.push_str(line);
        text.push('\n');
    }
    if let Some(block) = code {
        out.push_str(&format!("<pre><code>{}</code></pre>", esc(&block)));
    }
    flush(&mut text, &mut out);
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
    fn headings_code_and_text_are_kept_apart_and_escaped() {
        let html = render(
            "# Title\n\nSome <b> text\n- item\n\n## 1. The tracker\n\n```html\n<script src=\"x\"></script>\n```\nafter\n",
        );
        assert_eq!(
            html,
            "<h1 id=\"title\">Title</h1><pre class=\"md\">Some &lt;b&gt; text\n- item</pre>\
             <h2 id=\"1-the-tracker\">1. The tracker</h2>\
             <pre><code>&lt;script src=&quot;x&quot;&gt;&lt;/script&gt;\n</code></pre><pre class=\"md\">after</pre>"
        );
    }

    #[test]
    fn the_guide_has_the_tracker_section_the_empty_dashboard_links_to() {
        let html = render(GUIDE);
        assert!(html.contains(r#"<h2 id="1-the-tracker">"#), "{html}");
        assert!(html.contains("axon.js"));
    }
}
