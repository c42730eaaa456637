/* statuspress: adds the reader's time zone (if not UTC nor the site's) and "x min. ago" after each time,
   never replacing it; Esc hides an uptime bar's tooltip. */
(function () {
  var d = document, s = d.currentScript, o = s ? s.dataset : {}, lang = d.documentElement.lang || undefined;
  var mine = Intl.DateTimeFormat().resolvedOptions().timeZone, asOf = d.querySelector(".generated time");
  var pageNow = asOf ? Date.parse(asOf.dateTime) : 0, added = [];
  var shown = new Intl.DateTimeFormat(lang, {day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    timeZone: mine, timeZoneName: "short"});
  var rel = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, {numeric: "auto", style: "short"}) : null;
  function wall(t, zone) {
    return new Intl.DateTimeFormat("en-GB", {dateStyle: "short", timeStyle: "short", timeZone: zone}).format(t);
  }
  function ago(t) {
    var min = Math.round((t - Math.max(Date.now(), pageNow)) / 60000), a = Math.abs(min);
    if (!rel || a > 7 * 1440) return "";
    return a < 1 ? rel.format(0, "second") : a < 60 ? rel.format(min, "minute") : a < 2880 ? rel.format(Math.round(min / 60), "hour")
      : rel.format(Math.round(min / 1440), "day");
  }
  function text(item) {
    var parts = [];
    if (item.zone) parts.push((o.yours || "your time") + ": " + item.zone);
    if (!item.window) parts.push(ago(item.t));
    return parts.filter(Boolean).map(function (p) { return " · " + p; }).join("");
  }
  d.querySelectorAll("time[datetime*='T']").forEach(function (el) {
    var t = Date.parse(el.dateTime), end = Date.parse(el.dataset.end || "");
    if (isNaN(t)) return;
    var other = wall(t, mine) !== wall(t, "UTC") && (!o.zone || wall(t, mine) !== wall(t, o.zone));
    var moved = el.closest(".moves") && el !== el.parentNode.querySelector("time");  // an old or new window
    var item = {t: t, window: moved || !isNaN(end), span: d.createElement("span"), zone: ""};
    if (other) item.zone = item.window && shown.formatRange ? shown.formatRange(t, end) : shown.format(t);
    item.span.className = "yours";
    item.span.textContent = text(item);
    if (item.span.textContent) { el.after(item.span); added.push(item); }
  });
  setInterval(function () { added.forEach(function (i) { i.span.textContent = text(i); }); }, 60000);
  var root = d.documentElement;
  d.addEventListener("keydown", function (e) { if (e.key === "Escape") root.classList.add("hush"); });
  ["mouseover", "focusin"].forEach(function (n) {
    d.addEventListener(n, function () { root.classList.remove("hush"); });
  });
})();
