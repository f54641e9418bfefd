#include "reports/html/page_assets.hpp"

namespace rollcall::reports::html {

// Readable system fonts, one colour per severity (each passes 4.5:1 against white text), no
// style attributes anywhere (the CSP allows only this block), and a print layout for PDFs.
const std::string_view kPageStyle = R"css(
:root{--critical:#b91c1c;--high:#c2410c;--medium:#a16207;--low:#1d4ed8;--info:#4b5563;
--error:#6d28d9;--bg:#f5f6f8;--fg:#1f2933;--muted:#5b6775;--line:#d9dee5;--card:#fff;--head:#eef1f5}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif}
header.top{background:#1f2933;color:#fff;padding:18px 28px}
header.top h1{margin:0 0 4px;font-size:22px;font-weight:650}
header.top p{margin:0;color:#cbd2d9}
nav.toc{margin-top:10px;display:flex;flex-wrap:wrap;gap:6px 18px}
nav.toc a{color:#a5d8ff}
main{max-width:1440px;margin:0 auto;padding:20px 28px 32px}
section{margin:0 0 30px}
h2{font-size:18px;margin:0 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
h3{font-size:15px;margin:16px 0 8px}
p.lead{margin:0 0 10px;color:var(--muted)}
.muted{color:var(--muted)}
.small{display:block;font-size:12px;color:var(--muted)}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.v,bdi{unicode-bidi:isolate}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px;
overflow-wrap:anywhere}
.alert{border-left:5px solid var(--error);background:#f1ecfd;padding:10px 14px;margin:0 0 20px;border-radius:4px}
.alert ul{margin:6px 0 0;padding-left:20px}
.alert,header.top p,dl.basis dd{overflow-wrap:anywhere}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-top:5px solid #9aa5b1;border-radius:8px;padding:10px 14px}
.card .n{display:block;font-size:28px;font-weight:700;font-variant-numeric:tabular-nums}
.card .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}
.card.sev-critical{border-top-color:var(--critical)}.card.sev-high{border-top-color:var(--high)}
.card.sev-medium{border-top-color:var(--medium)}.card.sev-low{border-top-color:var(--low)}
.card.sev-info{border-top-color:var(--info)}.card.sev-error{border-top-color:var(--error)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:16px}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px}
figcaption{font-weight:600;margin:0 0 8px}
figure svg{display:block;max-width:100%;height:auto;font:12px system-ui,"DejaVu Sans",sans-serif}
svg text{fill:var(--fg)}svg text.value,svg text.muted{fill:var(--muted)}
svg .axis{stroke:var(--line);stroke-width:1}
.sev-critical{fill:var(--critical)}.sev-high{fill:var(--high)}.sev-medium{fill:var(--medium)}
.sev-low{fill:var(--low)}.sev-info{fill:var(--info)}.sev-error{fill:var(--error)}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0 0;padding:0;font-size:12px}
ul.legend li::before{content:"";display:inline-block;width:10px;height:10px;margin-right:5px;
border-radius:2px;background:var(--c)}
.table-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top;
overflow-wrap:anywhere;unicode-bidi:isolate}
td{max-width:28em}
table.data{font-size:13px}table.data td{overflow-wrap:break-word;padding:5px 7px}
tr.finding.excepted td{color:var(--muted)}
th{background:var(--head);font-weight:600;white-space:nowrap;position:sticky;top:0}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f8fafc}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;
white-space:nowrap;background:var(--info)}
.badge.sev-critical{background:var(--critical)}.badge.sev-high{background:var(--high)}
.badge.sev-medium{background:var(--medium)}.badge.sev-low{background:var(--low)}
.badge.sev-error{background:var(--error)}
.legend .sev-critical{--c:var(--critical)}.legend .sev-high{--c:var(--high)}
.legend .sev-medium{--c:var(--medium)}.legend .sev-low{--c:var(--low)}
.legend .sev-info{--c:var(--info)}.legend .sev-error{--c:var(--error)}
.status-ok{color:#166534;font-weight:600}.status-bad{color:var(--error);font-weight:700}
.nw,.status-ok,.status-bad{white-space:nowrap}
dl.basis{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0 0 14px}
dl.basis dt{color:var(--muted)}dl.basis dd{margin:0;min-width:0}
.controls{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;margin:0 0 8px}
.controls label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
select{max-width:18em}
select,input{font:inherit;font-size:14px;padding:4px 6px;border:1px solid #9aa5b1;border-radius:4px;
background:#fff;color:var(--fg)}
input[type=search]{min-width:18em}
button{font:inherit;font-size:13px;padding:3px 10px;border:1px solid #9aa5b1;border-radius:4px;
background:#fff;color:var(--fg);cursor:pointer}
button:hover:not(:disabled){background:var(--head)}button:disabled{opacity:.45;cursor:default}
:focus-visible{outline:3px solid #2563eb;outline-offset:1px}
th button.sort{border:0;background:none;padding:0;font-weight:600;font-size:14px}
th[aria-sort=ascending] button.sort::after{content:" \25B2"}
th[aria-sort=descending] button.sort::after{content:" \25BC"}
.chip{display:inline-flex;align-items:center;gap:6px;background:#dbeafe;border-radius:14px;
padding:2px 4px 2px 10px;font-size:13px;max-width:30em;overflow-wrap:anywhere}
.chip button{border-radius:12px;padding:0 7px}
p.status{margin:6px 0;font-size:13px;color:var(--muted)}
.pager{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin:8px 0}
tr.evidence>td{background:#f8fafc;max-width:none}
tr.evidence dl{display:grid;grid-template-columns:fit-content(16em) minmax(0,1fr);gap:3px 16px;margin:4px 0}
tr.evidence dt{color:var(--muted);overflow-wrap:anywhere}
tr.evidence dd{margin:0;min-width:0;overflow-wrap:anywhere}
tr.evidence ol{margin:0;padding-left:20px}
html:not(.js) .js-only{display:none}
noscript p{background:#fff7e6;border-left:5px solid var(--medium);padding:8px 12px;margin:0}
footer{max-width:1440px;margin:0 auto;padding:0 28px 28px;font-size:12px;color:var(--muted)}
@media print{
@page{size:landscape;margin:10mm}
body{background:#fff;font-size:10pt}
header.top{background:none;color:#000;padding:0 0 6px;border-bottom:2px solid #000}
header.top p{color:#333}
nav.toc,.controls,.pager,button,noscript,th button.sort::after{display:none!important}
main{max-width:none;padding:12px 0 0}
th button.sort{display:inline!important}
.card,figure{break-inside:avoid;border-color:#999}
.charts{grid-template-columns:1fr 1fr}
.table-wrap{overflow:visible;border:0}
table{font-size:8.5pt}th{position:static;white-space:normal}th button.sort{font-size:inherit}
th,td{overflow-wrap:break-word;padding:4px 6px}.ev{display:none}
thead{display:table-header-group}tr{break-inside:avoid}
td{max-width:none}
.badge,.card,svg,ul.legend li::before{-webkit-print-color-adjust:exact;print-color-adjust:exact}
section{break-inside:auto}h2{break-after:avoid}
}
)css";

}  // namespace rollcall::reports::html
