// The book's own script, loaded by every page (book/_config.yml, html_js_files).
//
// * Numbers the captions of the journal tables of a page in order, "Table N: caption",
//   as Sphinx numbers figures "Figure N: caption" (tables are numbered per page, as
//   figures are).
// * Gives every cell of a table of class "ha-stack" its column's header as data-label, so
//   that on a phone the style sheet can show each row as a card, cell under header.
// * Tells the reader when a table is wider than the text column: a line "Scroll sideways
//   for more columns" appears above it while it does not fit, and goes when it does
//   (after the window is resized, or a folded section is opened).
(function () {
  "use strict";

  var TABLES = "article table, .bd-article table";
  var SCROLLERS = ".ha-table-scroll, .bd-article .pst-scrollable-table-container, .bd-article .table-wrapper";

  function numberTables() {
    var count = 0;
    document.querySelectorAll(TABLES).forEach(function (table) {
      var caption = table.querySelector(":scope > caption");
      if (!caption || !caption.textContent.trim()) return;
      count += 1;
      if (caption.querySelector(".caption-number")) return;  // numbered by Sphinx already
      var label = document.createElement("span");
      label.className = "caption-number";
      label.textContent = "Table " + count + ": ";
      caption.insertBefore(label, caption.firstChild);
    });
  }

  function labelStacked() {
    document.querySelectorAll("table.ha-stack").forEach(function (table) {
      var heads = Array.from(table.querySelectorAll("thead th")).map(function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var cells = Array.from(row.children);
        // A row with one filled cell is a heading within the table: it needs no label.
        var heading = cells.filter(function (cell) { return cell.textContent.trim(); }).length === 1;
        cells.forEach(function (cell, i) {
          if (heads[i] && !heading && !cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[i]);
          if (!cell.textContent.trim()) cell.classList.add("ha-stack-blank");
        });
      });
    });
  }

  function cue(scroller) {
    var holder = scroller.parentElement;
    if (!holder) return;
    var note = holder.querySelector(":scope > .ha-scroll-cue");
    var more = scroller.scrollWidth > scroller.clientWidth + 1;
    if (more && !note) {
      note = document.createElement("p");
      note.className = "ha-scroll-cue";
      note.setAttribute("aria-hidden", "true");  // the table itself is a scrolling region
      note.textContent = "Scroll sideways for more columns \u2192";
      holder.insertBefore(note, scroller);
    }
    if (note) note.hidden = !more;
  }

  function cues() {
    document.querySelectorAll(SCROLLERS).forEach(cue);
  }

  function start() {
    numberTables();
    labelStacked();
    cues();
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(cues, 100);
    });
    document.addEventListener("toggle", cues, true);  // a <details> opened or closed
    window.addEventListener("load", cues);  // fonts and charts change the layout
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
