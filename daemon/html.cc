#include "html.h"

#include <fmt/format.h>

namespace referral::rewardd {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string html_page(std::string_view title, std::string_view body) {
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>";
    out += escape(title);
    out +=
        "</title><style>"
        "body{font:14px/1.4 sans-serif;margin:24px;color:#222;background:#fafafa}"
        "h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 8px}"
        "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;"
        "margin:0 0 16px}"
        ".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}"
        "table{border-collapse:collapse;width:100%}th,td{padding:3px 8px;text-align:left;"
        "border-bottom:1px solid #eee}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
        ".muted{color:#777}.figure{font-size:24px;font-weight:bold}"
        ".figures{display:flex;gap:32px;flex-wrap:wrap}code{word-break:break-all}"
        "svg text{font:11px sans-serif;fill:#444}"
        "</style></head><body>";
    out += body;
    out += "</body></html>\n";
    return out;
}

HttpResponse page_response(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = {{"Content-Security-Policy", kContentSecurityPolicy},
                 {"Cache-Control", "no-store"},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"}};
    return r;
}

HttpResponse message_response(int status, std::string_view message) {
    return page_response(status, html_page(message, "<p>" + escape(message) + "</p>"));
}

std::string figure(std::string_view label, std::string_view value) {
    return fmt::format("<div><div class=\"muted\">{}</div><div class=\"figure\">{}</div></div>",
                       escape(label), escape(value));
}

}  // namespace referral::rewardd
