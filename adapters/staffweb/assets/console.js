// bibgate staff console: keyboard-first for barcode scanners.
// A scanner types the digits and Enter. Without another field to fill,
// the cursor waits in the search field, so a scan on any page finds the
// patron or the copy. In a form with data-scan-next, Enter in its first
// field moves to the named field instead of sending the form half filled.
(function () {
  "use strict";
  function ready() {
    var scan = document.getElementById("scan");
    var auto = document.querySelector("[autofocus]");
    if (auto) {
      auto.focus();
    } else if (scan) {
      scan.focus();
    }
    document.querySelectorAll("form[data-scan-next]").forEach(function (form) {
      var next = document.getElementById(form.getAttribute("data-scan-next"));
      var first = form.querySelector("input:not([type=hidden])");
      if (!next || !first || first === next) {
        return;
      }
      first.addEventListener("keydown", function (e) {
        if (e.key === "Enter" && first.value.trim() !== "" && next.value.trim() === "") {
          e.preventDefault();
          next.focus();
        }
      });
    });
    // F2 or Alt+S goes back to the search field from anywhere.
    document.addEventListener("keydown", function (e) {
      if (scan && (e.key === "F2" || (e.altKey && (e.key === "s" || e.key === "S")))) {
        e.preventDefault();
        scan.focus();
        scan.select();
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
