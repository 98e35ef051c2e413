//! The hosted pages' HTML: small server-rendered forms. Everything a page shows that came
//! from a request or the store goes through [`escape`]. The one script, [`PASSKEY_SCRIPT`]
//! (the passkey pages' WebAuthn ceremony), is a constant allowed by its hash; what it needs
//! comes in a `<script type="application/json">` element ([`json_data`]).

use crate::idp::engine::branding::PageLook;

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#f4f4f4;margin:0}\
.modal-content{max-width:340px;margin:48px auto;background:#fff;padding:24px 28px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.2)}\
h1{font-size:20px;margin:0 0 16px}label{display:block;margin:12px 0 4px;font-size:14px}\
input[type=text],input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:8px;font-size:15px}\
button{margin-top:18px;width:100%;padding:10px;font-size:15px;background:#ec7211;color:#fff;border:0;border-radius:4px}\
.errorMessage-customizable{color:#b00020;font-size:14px;margin:8px 0}\
.info{color:#333;font-size:14px;margin:8px 0}.links{margin-top:14px;font-size:14px}";

/// A whole page around a body, in the pool's or client's look (UI customization: CSS and
/// logo).
pub fn page(title: &str, body: &str, look: Option<&PageLook>) -> String {
    // Custom CSS is validated by SetUICustomization; `<` is still written as a CSS escape
    // so that nothing in it can close the style element.
    let custom = look
        .and_then(|l| l.css.as_deref())
        .map(|css| css.replace('<', "\\3c "))
        .unwrap_or_default();
    let logo = look
        .and_then(|l| l.logo_url.as_deref())
        .map(|url| {
            format!(
                "<div class=\"banner-customizable\"><img class=\"logo-customizable\" alt=\"logo\" src=\"{}\"></div>",
                escape(url)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style><style>{custom}</style></head>\
<body><div class=\"modal-content background-customizable\">{logo}{body}</div></body></html>\n",
        title = escape(title),
    )
}

/// The client's terms documents as links (http and https URLs only).
pub fn terms(look: Option<&PageLook>, lead: &str) -> String {
    let links: Vec<String> = look
        .map(|l| l.terms_links.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|(_, url)| url.starts_with("https://") || url.starts_with("http://"))
        .map(|(label, url)| {
            format!(
                "<a class=\"legalText-customizable\" href=\"{}\" target=\"_blank\" rel=\"noopener\">{}</a>",
                escape(url),
                escape(label)
            )
        })
        .collect();
    if links.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"legalText-customizable\">{} {}.</p>",
        escape(lead),
        links.join(" and ")
    )
}

/// The passkey pages' script: on a click of `#passkeyButton`, runs
/// `navigator.credentials.get` (or `create`, for a form with `data-passkey="create"`) with the
/// options of `#passkeyOptions` (JSON, binary members in base64url), and posts the
/// credential's JSON form in the form's `credential` field.
pub const PASSKEY_SCRIPT: &str = r#"(() => {
  const data = document.getElementById("passkeyOptions");
  const form = document.querySelector("form[data-passkey]");
  const button = document.getElementById("passkeyButton");
  const fail = document.getElementById("passkeyError");
  if (!data || !form || !button) return;
  const options = JSON.parse(data.textContent);
  const bytes = (s) => {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    s += "=".repeat((4 - (s.length % 4)) % 4);
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  };
  const text = (b) => b ? btoa(String.fromCharCode(...new Uint8Array(b)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") : null;
  const ids = (list) => (list || []).map((c) => ({ ...c, id: bytes(c.id) }));
  button.addEventListener("click", async () => {
    fail.hidden = true;
    try {
      let credential, response;
      if (form.dataset.passkey === "create") {
        const publicKey = { ...options, challenge: bytes(options.challenge),
          user: { ...options.user, id: bytes(options.user.id) },
          excludeCredentials: ids(options.excludeCredentials) };
        credential = await navigator.credentials.create({ publicKey });
        const r = credential.response;
        response = { clientDataJSON: text(r.clientDataJSON),
          attestationObject: text(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [] };
      } else {
        const publicKey = { ...options, challenge: bytes(options.challenge),
          allowCredentials: ids(options.allowCredentials) };
        credential = await navigator.credentials.get({ publicKey });
        const r = credential.response;
        response = { clientDataJSON: text(r.clientDataJSON),
          authenticatorData: text(r.authenticatorData), signature: text(r.signature),
          userHandle: text(r.userHandle) };
      }
      form.elements.credential.value = JSON.stringify({ id: credential.id,
        rawId: text(credential.rawId), type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment, response,
        clientExtensionResults: credential.getClientExtensionResults() });
      form.submit();
    } catch (e) {
      fail.textContent = "The passkey could not be used (" + e.name + "). Try again.";
      fail.hidden = false;
    }
  });
})();"#;

/// The passkey script element (allowed by the pages' CSP through its hash).
pub fn passkey_script() -> String {
    format!("<script>{PASSKEY_SCRIPT}</script>")
}

/// JSON for a script to read, in a `<script type="application/json">` element: `<`, `>` and
/// `&` are written as JSON escapes, so nothing in it can end the element.
pub fn json_data(id: &str, value: &serde_json::Value) -> String {
    let json = value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    format!(
        "<script type=\"application/json\" id=\"{}\">{json}</script>",
        escape(id)
    )
}

pub fn error_message(message: Option<&str>) -> String {
    message
        .map(|m| {
            format!(
                "<p id=\"loginErrorMessage\" class=\"errorMessage-customizable\">{}</p>",
                escape(m)
            )
        })
        .unwrap_or_default()
}

pub fn notice(text: Option<&str>) -> String {
    text.map(|t| format!("<p class=\"info\">{}</p>", escape(t)))
        .unwrap_or_default()
}

pub fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// A labelled input.
pub fn field(label: &str, kind: &str, name: &str, value: &str) -> String {
    let id = format!("field-{name}");
    format!(
        "<label for=\"{id}\" class=\"label-customizable\">{label}</label>\
<input id=\"{id}\" class=\"inputField-customizable\" type=\"{kind}\" name=\"{name}\" value=\"{value}\" autocomplete=\"off\">",
        id = escape(&id),
        label = escape(label),
        kind = escape(kind),
        name = escape(name),
        value = escape(value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_in_text_and_attributes() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&quot;"
        );
        assert!(hidden("a\"", "\"><b>").contains("value=\"&quot;&gt;&lt;b&gt;\""));
        let look = PageLook {
            css: Some("a{}<</style><script>".into()),
            logo_url: Some("/x\"><script>".into()),
            terms_links: vec![
                ("Terms of use".into(), "javascript:alert(1)".into()),
                (
                    "Privacy <policy>".into(),
                    "https://e.example/p?a=1&b=2".into(),
                ),
            ],
        };
        let html = page("t", "", Some(&look));
        assert!(html.contains("src=\"/x&quot;&gt;&lt;script&gt;\""));
        let links = terms(Some(&look), "By signing up, you agree to our");
        assert!(!links.contains("javascript:"));
        assert!(links.contains("href=\"https://e.example/p?a=1&amp;b=2\""));
        assert!(links.contains("Privacy &lt;policy&gt;"));
        assert!(html.contains("a{}\\3c \\3c /style>\\3c script>"));
        assert_eq!(html.matches("</style>").count(), 2);
    }

    #[test]
    fn json_for_scripts_cannot_close_its_element() {
        let value = serde_json::json!({"name": "</script><script>alert('x')</script>&"});
        let html = json_data("data", &value);
        assert_eq!(html.matches("</script>").count(), 1, "{html}");
        let inner = &html[html.find('>').unwrap() + 1..html.rfind("</script>").unwrap()];
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(inner).unwrap(),
            value
        );
    }
}
