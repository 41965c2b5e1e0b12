// careguide serve: reload the page when a build changes what is served (added by the server
// to the HTML it sends, not built). The server pushes a "reload" event on
// /_careguide/events; when the page cannot have that stream (no EventSource, or the server's
// limit of open streams is reached) it asks /_careguide/version now and then instead.
(function () {
  var me = document.querySelector("script[data-careguide-version]");
  if (!me) return;
  var seen = me.getAttribute("data-careguide-version");
  function check(v) {
    if (v !== null && v !== undefined && String(v).trim() !== seen) {
      window.location.reload();
      return true;
    }
    return false;
  }
  function poll() {
    if (!window.fetch) return;
    fetch("/_careguide/version", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (v) { if (!check(v)) setTimeout(poll, 2000); },
            function () { setTimeout(poll, 5000); });
  }
  if (!window.EventSource) { setTimeout(poll, 2000); return; }
  var events = new EventSource("/_careguide/events");
  // Sent when the stream opens: a build that ended before it did still reloads the page.
  events.addEventListener("version", function (e) { check(e.data); });
  events.addEventListener("reload", function () { window.location.reload(); });
  events.onerror = function () {
    // Refused (503) streams are not retried by the browser; a stopped server is.
    if (events.readyState === 2) { events.close(); setTimeout(poll, 2000); }
  };
})();
