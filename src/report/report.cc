// The page: head (styles), the sections in order, and the script (sorting and filtering the
// trials table; data-ready="1" on <body> once it has run). Nothing refers outside the file.
#include "qtune/report/report.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "report/sections.h"
#include "report/study_view.h"
#include "report/svg.h"

namespace qtune::report {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1320px;padding:8px 16px;color:#1d1d1f;background:#fff}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:14px 0 6px}
nav{position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid #eee;z-index:2}nav a{margin-right:12px;white-space:nowrap;color:#3b6fb6;text-decoration:none}
.note{color:#7a5c00;background:#fff7e0;border-left:3px solid #e0b000;padding:4px 8px}
table.kv th{text-align:left;padding:3px 12px 3px 0;vertical-align:top;color:#555;font-weight:600}
table.grid{border-collapse:collapse;font-size:13px}table.grid th,table.grid td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
table.grid th{background:#f3f3f3}table.sortable th{cursor:pointer;white-space:nowrap}
tr.best td{background:#fff3c4}#trial-table td{white-space:nowrap}#trial-table pre{white-space:pre-wrap;min-width:40ch;max-width:80ch}.big{font-size:20px}
pre{white-space:pre-wrap;word-break:break-all;margin:0;font-size:12px}pre.cmd{background:#f3f3f3;padding:6px;border-radius:4px}
.st{font-size:11px;padding:1px 5px;border-radius:3px;color:#fff}.st-COMPLETE{background:#2e7d32}.st-FAILED{background:#d62728}.st-RUNNING{background:#3b6fb6}.st-INTERRUPTED{background:#888}.st-PRUNED{background:#e08a00}
.scroll{overflow-x:auto}.scroll svg.plot{min-width:640px}.strip img{margin:1px;min-height:48px;image-rendering:pixelated;border:1px solid #ccc}
.plots{display:flex;flex-wrap:wrap;gap:12px}.plots svg{flex:1 1 520px;max-width:640px}
svg.plot{width:100%;height:auto;font-size:12px}svg .area{fill:#fafafa;stroke:#999}svg .grid{stroke:#e4e4e4}
svg .tt{font-size:14px;font-weight:600;text-anchor:middle}svg .tk{fill:#444;font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}svg .al{font-size:12px;font-weight:600}svg .lg{font-size:12px}svg .cv{font-size:11px}
.toggle{display:block;margin:6px 0}#trial-filter{width:min(320px,90%)}.plots.log{display:none}
section:has(#history-log:checked) .plots.lin{display:none}section:has(#history-log:checked) .plots.log{display:flex}
.bar{background:#3b6fb6;height:12px}.barbox{width:min(260px,40vw);background:#eee;position:relative}
.whisk{position:absolute;top:5px;height:2px;background:#111}
footer{color:#777;font-size:12px;margin:24px 0}
@media print{nav,.toggle,.tools{display:none}.plots svg{max-width:48%}section{break-inside:auto}h2{break-after:avoid}}
@media (max-width:600px){body{padding:4px 8px}.plots svg{flex-basis:100%}}
)";

constexpr const char* kScript = R"(
(function(){
try{
var t=document.getElementById('trial-table');
if(t){
 var body=t.tBodies[0],heads=t.tHead.rows[0].cells,dir={};
 var key=function(td){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;var n=parseFloat(v);return v!==''&&isFinite(n)&&String(n)===String(+v)?n:v;};
 Array.prototype.forEach.call(heads,function(th,c){th.addEventListener('click',function(){
  var d=dir[c]=-(dir[c]||-1),rows=Array.prototype.slice.call(body.rows);
  rows.sort(function(a,b){var x=key(a.cells[c]),y=key(b.cells[c]);
   if(x===''&&y!=='')return 1;if(y===''&&x!=='')return -1;
   if(typeof x===typeof y)return (x<y?-1:x>y?1:0)*d;return (typeof x==='number'?-1:1)*d;});
  rows.forEach(function(r){body.appendChild(r);});});});
 var f=document.getElementById('trial-filter'),count=document.getElementById('trial-count');
 var show=function(){var q=f.value.toLowerCase().split(/\s+/).filter(Boolean),n=0;
  Array.prototype.forEach.call(body.rows,function(r){var text='';
   for(var i=0;i<r.cells.length-1;i++)text+=' '+(heads[i].textContent+'='+r.cells[i].textContent).toLowerCase()+' '+r.cells[i].textContent.toLowerCase();
   var ok=q.every(function(w){return text.indexOf(w)>=0;});r.style.display=ok?'':'none';if(ok)n++;});
  count.textContent=n+' of '+body.rows.length+' trials';};
 f.addEventListener('input',show);show();
}
}catch(e){document.body.setAttribute('data-error',String(e));
 var p=document.createElement('p');p.className='note';p.textContent='Script error: '+e;document.body.insertBefore(p,document.body.firstChild);}
document.body.setAttribute('data-ready','1');
})();
)";

struct SectionSpec {
  const char* id;
  const char* title;
};
constexpr SectionSpec kSections[] = {
    {"summary", "Summary"},   {"history", "Search history"}, {"parameters", "Parameters"},
    {"images", "Images"},     {"trials", "Trials"},          {"beliefs", "What the agent believes"},
    {"timeline", "Timeline"},
};

}  // namespace

const std::vector<std::string>& section_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const SectionSpec& s : kSections) out.emplace_back(s.id);
    return out;
  }();
  return ids;
}

std::string render_html(const StudyData& data, const ReportOptions& options) {
  const StudyView view = make_study_view(data);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  if (options.refresh_seconds > 0)
    out += fmt::format("<meta http-equiv=\"refresh\" content=\"{}\">", options.refresh_seconds);
  out += fmt::format("<title>qtune report: {}</title><style>{}</style></head><body>",
                     escape(data.record.name), kStyle);
  out += fmt::format("<h1>qtune report: {}</h1><nav>", escape(data.record.name));
  for (const SectionSpec& s : kSections)
    out += fmt::format("<a href=\"#{}\">{}</a> ", s.id, s.title);
  out += "</nav>";
  for (const SectionSpec& s : kSections) {
    std::string body;
    const std::string_view id = s.id;
    if (id == "summary") body = summary_section(view);
    if (id == "history") body = history_section(view);
    if (id == "parameters") body = parameters_section(view);
    if (id == "images") body = images_section(view);
    if (id == "trials") body = trials_section(view);
    if (id == "beliefs") body = beliefs_section(view);
    if (id == "timeline") body = timeline_section(view);
    out += fmt::format("<section id=\"{}\"><h2>{}</h2>{}</section>\n", s.id, s.title, body);
  }
  out += fmt::format(
      "<footer>Made by qtune report on {}{}.</footer>", format_time(options.generated_at),
      options.refresh_seconds > 0
          ? fmt::format("; reloads every {} s while the study runs", options.refresh_seconds)
          : "");
  out += fmt::format("<script>{}</script></body></html>\n", kScript);
  return out;
}

base::Status write_report(const std::filesystem::path& path, std::string_view html) {
  std::filesystem::path temp = path;
  temp += fmt::format(".tmp{}", ::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(html.data(), static_cast<std::streamsize>(html.size()));
    out.flush();
    if (!out) {
      const std::string reason = std::strerror(errno);
      std::error_code ignored;
      std::filesystem::remove(temp, ignored);
      return base::Status::io_error(
          fmt::format("{}: cannot write the report: {}; check that "
                      "its folder exists and is writable",
                      path.string(), reason));
    }
  }
  std::error_code error;
  std::filesystem::rename(temp, path, error);
  if (error) {
    std::error_code ignored;  // the rename's error is the one to report
    std::filesystem::remove(temp, ignored);
    return base::Status::io_error(
        fmt::format("{}: cannot replace the report: {}", path.string(), error.message()));
  }
  return base::Status::ok();
}

}  // namespace qtune::report
