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
    var state = "voting";
    var news = document.getElementById(element.getAttribute("data-news") || "");
    var timer;
    function refresh() {
      if (busy || document.hidden) return;
      busy = true;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) return null;
          state = response.headers.get("X-Motion-State") || state;
          return response.text();
        })
        .then(function (html) {
          if (html !== null && html !== element.innerHTML) {
            element.innerHTML = html;
            // Announce only the totals, not the whole roll call, and only when they change.
            var totals = element.querySelector(".tally-totals");
            if (news && totals) news.textContent = totals.textContent.replace(/\s+/g, " ").trim();
          }
          if (state !== "voting") {
            window.clearInterval(timer);
            if (news) {
              news.className += " closed";
              news.textContent = "The vote has closed. ";
              var link = document.createElement("a");
              link.href = window.location.pathname;
              link.textContent = "Show the outcome";
              news.appendChild(link);
            }
          }
        })
        .catch(function () { /* offline: keep the last tally and try again later */ })
        .then(function () { busy = false; });
    }
    timer = window.setInterval(refresh, Math.max(seconds, 2) * 1000);
  }

  document.querySelectorAll("[data-poll-url]").forEach(poll);
})();
