/* communard — conveniences only; every action works without this file.
   - <form data-confirm="Question?">: ask before submitting.
   - <div data-poll-url="..." data-poll-seconds="5">: refresh the element's
     contents from a server-rendered fragment (the live roll-call tally). */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  function poll(element) {
    var url = element.getAttribute("data-poll-url");
    var seconds = parseInt(element.getAttribute("data-poll-seconds") || "5", 10);
    var busy = false;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          // Replace only when something changed, so screen readers announce real news.
          if (html !== null && html !== element.innerHTML) element.innerHTML = html;
        })
        .catch(function () { /* offline: keep the last tally and try again later */ })
        .then(function () { busy = false; });
    }
    window.setInterval(refresh, Math.max(seconds, 2) * 1000);
  }

  document.querySelectorAll("[data-poll-url]").forEach(poll);
})();
