/* The console's small helpers: confirmation before destructive actions. */
(function () {
  "use strict";
  // <form data-confirm="..."> asks before it submits (destructive actions); htmx requests use
  // hx-confirm, which htmx handles itself.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);
})();
