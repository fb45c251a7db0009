/* Live attendance: applies server-sent events to the dashboard without a reload.
 *
 * The page marks what can change (see templates/attendance/_live.html and the dashboards):
 *   [data-live-date="YYYY-MM-DD"]          the day the page shows; events of other days are ignored
 *   [data-live="city:<metric>"]            a number or share of the city
 *   [data-live="district:<id>:<metric>"]   ... of a district
 *   [data-live="school:<id>:<metric>"]     ... of a school
 *   [data-live-fill="district:<id>"]       a map area, coloured share-0 … share-4 by share absent
 *   [data-not-reported="<school id>"]      a school still to report: removed when it reports
 *   [data-not-reported-count]              how many of those are inside its section (or its group): recounted
 * Shares are computed as in cms/attendance/metrics.py.
 *
 * Nothing is missed while the stream is down: the script tag's data-live-since (the event id of the moment
 * the page was rendered) goes with the first connection as ?since=, with the page's day as ?date=; the
 * browser's own reconnections send the id of the last event received (Last-Event-ID), and a new connection
 * after the browser gave up sends it as ?since=. The server first sends what was saved since then
 * (cms/attendance/stream.py). An "event: reload" (the page is from another day) reloads the page, at most
 * once a minute.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-live-url");
  var root = document.querySelector("[data-live-date]");
  if (!url || !root || !window.EventSource) { return; }
  var day = root.getAttribute("data-live-date");
  var lastId = script.getAttribute("data-live-since") || "";
  var status = document.querySelector("[data-live-status]");
  var BUCKETS = [5, 10, 15, 20];
  var number = new Intl.NumberFormat("uk-UA");
  var percent = new Intl.NumberFormat("uk-UA", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  function share(part, whole) {
    return whole ? Math.round((part * 1000) / whole) / 10 : null;
  }

  function metrics(t) {
    var absent = (t.absent_illness || 0) + (t.absent_valid || 0) + (t.absent_unexcused || 0);
    var m = {};
    Object.keys(t).forEach(function (k) { m[k] = t[k]; });
    m.absent = absent;
    m.present_share = share(t.present || 0, t.enrolled || 0);
    m.absent_share = share(absent, t.enrolled || 0);
    m.illness_share = share(t.absent_illness || 0, t.enrolled || 0);
    m.unexcused_share = share(t.absent_unexcused || 0, t.enrolled || 0);
    m.remote_share = share(t.remote || 0, t.enrolled || 0);
    m.shelter_share = share(t.in_shelter || 0, t.present || 0);
    return m;
  }

  function show(key, m) {
    document.querySelectorAll('[data-live^="' + key + ':"]').forEach(function (el) {
      var metric = el.getAttribute("data-live").slice(key.length + 1);
      if (!(metric in m) || m[metric] === undefined) { return; }
      var value = m[metric];
      var text = value === null ? "—" : /_share$/.test(metric) ? percent.format(value) + "%" : number.format(value);
      if (el.textContent !== text) {
        el.textContent = text;
        el.classList.remove("live-changed");
        void el.offsetWidth;
        el.classList.add("live-changed");
      }
    });
  }

  function fill(key, m) {
    document.querySelectorAll('[data-live-fill="' + key + '"]').forEach(function (el) {
      var bucket = m.absent_share === null ? null : BUCKETS.filter(function (b) { return m.absent_share >= b; }).length;
      for (var i = 0; i <= BUCKETS.length; i++) { el.classList.remove("share-" + i); }
      if (bucket !== null) { el.classList.add("share-" + bucket); }
    });
  }

  function recountNotReported() {
    document.querySelectorAll("[data-not-reported-count]").forEach(function (el) {
      var within = el.closest("details") || el.closest("section") || document;
      var count = number.format(within.querySelectorAll("[data-not-reported]").length);
      if (el.textContent !== count) { el.textContent = count; }
    });
  }

  function apply(event) {
    if (event.date !== day) { return; }
    if (event.city) { show("city", metrics(event.city)); }
    if (event.district && event.district.id !== null) {
      var d = metrics(event.district);
      show("district:" + event.district.id, d);
      fill("district:" + event.district.id, d);
    }
    if (event.school) {
      show("school:" + event.school.id, metrics(event.school));
      document.querySelectorAll('[data-not-reported="' + event.school.id + '"]').forEach(function (el) { el.remove(); });
      recountNotReported();
    }
    if (status) {
      status.textContent = status.getAttribute("data-label-updated") + " " + new Date().toLocaleTimeString("uk-UA");
    }
  }

  // The browser reconnects by itself after a dropped stream, but gives up for good when an answer is not a
  // stream (the session ended: the sign-in page, or a 403); then a new connection is tried now and again.
  var RETRY_CLOSED_MS = 30000;
  var RELOAD_AT_MOST_EVERY_MS = 60000;
  var RELOADED_KEY = "attendance-live-reloaded";

  function streamUrl() {
    var query = "date=" + encodeURIComponent(day) + (lastId ? "&since=" + encodeURIComponent(lastId) : "");
    return url + (url.indexOf("?") < 0 ? "?" : "&") + query;
  }

  function reload(source) {
    var last = 0;
    try { last = Number(window.sessionStorage.getItem(RELOADED_KEY)) || 0; } catch (e) { /* no storage */ }
    if (Date.now() - last < RELOAD_AT_MOST_EVERY_MS) { return; }  // just reloaded: carry on live
    try { window.sessionStorage.setItem(RELOADED_KEY, String(Date.now())); } catch (e) { /* no storage */ }
    source.close();
    window.location.reload();
  }

  function connect() {
    var source = new EventSource(streamUrl(), { withCredentials: true });
    source.addEventListener("attendance", function (message) {
      if (message.lastEventId) { lastId = message.lastEventId; }
      try { apply(JSON.parse(message.data)); } catch (e) { /* a malformed event changes nothing */ }
    });
    source.addEventListener("reload", function (message) {
      if (message.lastEventId) { lastId = message.lastEventId; }
      reload(source);
    });
    source.addEventListener("open", function () {
      root.setAttribute("data-live-connected", "true");
      if (status && status.textContent === status.getAttribute("data-label-offline")) { status.textContent = ""; }
    });
    source.addEventListener("error", function () {
      root.setAttribute("data-live-connected", "false");
      if (status) { status.textContent = status.getAttribute("data-label-offline"); }
      if (source.readyState === EventSource.CLOSED) { window.setTimeout(connect, RETRY_CLOSED_MS); }
    });
  }
  connect();
}());
