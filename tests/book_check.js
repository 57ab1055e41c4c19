// Evaluated in a built page by tests/book_check.py (Chrome DevTools protocol, awaited):
// once the charts are drawn and MathJax is done, resolves to the problems a reader would
// meet, as JSON. Console errors are collected by book_check.py from the protocol's events.
(async function () {

  function name(el) {
    var id = el.id ? "#" + el.id : "";
    var cls = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).slice(0, 2).join(".") : "";
    return el.tagName.toLowerCase() + id + cls;
  }

  // Charts still being drawn. (MathJax needs no polling: once the page has loaded, its
  // script has run and startup.promise says when the maths is typeset, or it never loaded.)
  function pending() {
    return Array.from(document.querySelectorAll(".humanalign-chart")).some(function (el) {
      return !el.querySelector("svg") && !/could not be drawn/.test(el.textContent);
    });
  }

  // Elements that stick out of the window on the right, outermost first, leaving out those
  // inside a box that scrolls or clips sideways (they do not widen the page).
  function sticking(viewport) {
    var out = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= viewport + 0.5) return;
      for (var up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        var ox = getComputedStyle(up).overflowX;
        if (ox !== "visible") return;
        if (up.getBoundingClientRect().right > viewport + 0.5) return;  // report the outer one only
      }
      out.push(name(el) + " (right edge " + Math.round(box.right) + " px)");
    });
    return out.slice(0, 5);
  }

  function column() {
    var article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
    var style = getComputedStyle(article);
    return article.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  function chartProblems(problems) {
    var width = column();
    document.querySelectorAll(".humanalign-chart").forEach(function (el) {
      var svg = el.querySelector("svg");
      if (/could not be drawn/.test(el.textContent) || !svg || !svg.querySelector("[class*=marks]")) {
        problems.push("chart " + el.id + " is not drawn: " + el.textContent.slice(0, 120));
        return;
      }
      var drawn = svg.getBoundingClientRect().width;
      if (drawn > width + 0.5) {
        problems.push("chart " + el.id + " is " + Math.round(drawn) + " px wide, wider than the " +
                      Math.round(width) + " px text column");
      }
      // The style sheet shrinks a chart wider than the column; below 90 % its text gets
      // too small to read: such a chart should follow the column's width instead.
      var natural = parseFloat(svg.getAttribute("width"));
      if (natural && drawn < 0.9 * natural) {
        problems.push("chart " + el.id + " is shrunk to " + Math.round(100 * drawn / natural) +
                      " % of its " + Math.round(natural) + " px to fit the column (its text gets too small)");
      }
      var figure = el.closest("figure");
      if (!figure) problems.push("chart " + el.id + " is not in a numbered figure with a caption");
    });
    document.querySelectorAll("figure").forEach(function (fig) {
      var caption = fig.querySelector("figcaption");
      var text = caption ? caption.textContent.trim() : "";
      if (!/^Figure \d+(\.\d+)*:\s*\S/.test(text)) {
        problems.push("figure " + (fig.id || name(fig)) + " has no \"Figure N: caption\" (" +
                      (text ? "caption " + JSON.stringify(text.slice(0, 60)) : "no caption") + ")");
      }
    });
  }

  function tableProblems(problems) {
    var empty = /^(nan|none|<na>|nat|null|undefined)$/i;
    document.querySelectorAll("table").forEach(function (table, i) {
      var label = "table " + (i + 1) + (table.className ? " (" + table.className + ")" : "");
      if (table.classList.contains("dataframe")) problems.push(label + " is a raw data frame");
      if (table.querySelector("tbody th")) problems.push(label + " has an index column (header cells in its body)");
      table.querySelectorAll("td, th").forEach(function (cell) {
        if (empty.test(cell.textContent.trim())) {
          problems.push(label + " has a cell " + JSON.stringify(cell.textContent.trim()));
        }
      });
    });
    // In the prose (code may well say np.nan).
    document.querySelectorAll("p, li, figcaption, dd").forEach(function (el) {
      if (!el.closest(".cell_input, .highlight, pre") && /\bNaN\b|\bnan\b/.test(el.innerText)) {
        problems.push("the text shows NaN: " + JSON.stringify(el.innerText.trim().slice(0, 80)));
      }
    });
  }

  // What a reader of a journal page expects of its tables and text.
  function readerProblems(problems) {
    var width = column();
    var number = /^[\u2212+-]?\d[\d,]*(\.\d+)?(\s*\[[^\]]*\])?(\s*\(\d[\d,]*\))?$/;
    document.querySelectorAll("article table, .bd-article table").forEach(function (table, i) {
      var label = "table " + (i + 1) + (table.className ? " (" + table.className + ")" : "");
      // (A table wider than the text column scrolls inside its own box: checked with the page's width.)
      var left = 0;
      table.querySelectorAll("tbody td").forEach(function (cell) {
        var align = getComputedStyle(cell).textAlign;
        // A literal value in code (a setting, a version) is not a figure of the table.
        var codes = cell.querySelectorAll("code");
        var literal = codes.length === 1 && codes[0].textContent.trim() === cell.textContent.trim();
        if (!literal && number.test(cell.textContent.trim()) && !/right|end/.test(align)) left += 1;
      });
      if (left) problems.push(label + " has " + left + " number cell(s) not aligned right");
    });
    var seen = {};
    document.querySelectorAll(".bd-article p, article p").forEach(function (el) {
      if (el.closest(".cell_input, .highlight, pre, figcaption, nav, footer")) return;
      var text = el.innerText.replace(/\s+/g, " ").trim();
      if (/\+-\s?\d|\+\/-/.test(text)) problems.push("the text writes +- instead of \u00b1: " + JSON.stringify(text.slice(0, 80)));
      if (text.length < 80) return;
      if (seen[text]) problems.push("a paragraph is repeated: " + JSON.stringify(text.slice(0, 80)));
      seen[text] = true;
    });
    // A claim's chapter opens with its verdict and ends with how to rerun it.
    var page = (location.pathname.split("/").pop() || "");
    if (/^0[1-5]_\w+\.html$/.test(page) && !document.querySelector(".admonition.ha-verdict")) {
      problems.push("the chapter has no verdict box");
    }
    if (/^\d\d_\w+\.html$/.test(page) && !document.querySelector(".admonition.ha-rerun")) {
      problems.push("the chapter has no rerun box");
    }
  }

  function mathProblems(problems) {
    var maths = document.querySelectorAll(".math");
    if (!maths.length) return;
    if (!window.MathJax || !window.MathJax.startup) {
      problems.push("the page has maths but MathJax did not load");
      return;
    }
    maths.forEach(function (el) {
      if (!el.querySelector("mjx-container")) {
        problems.push("maths not rendered: " + JSON.stringify(el.textContent.trim().slice(0, 60)));
      } else if (el.querySelector("mjx-merror, [data-mjx-error]")) {
        problems.push("maths with a TeX error: " + JSON.stringify(el.textContent.trim().slice(0, 60)));
      }
    });
  }

  function outputProblems(problems) {
    document.querySelectorAll(".cell_output").forEach(function (el) {
      if (/(^|\n)\s*humanalign: /.test(el.textContent)) {
        problems.push("a cell's output shows a library notice: " +
                      JSON.stringify(el.textContent.trim().slice(0, 100)));
      }
    });
  }

  function report() {
    var problems = [];
    var viewport = document.documentElement.clientWidth;
    var wide = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
    if (wide > viewport) {
      problems.push("the page scrolls sideways (" + wide + " px wide in a " + viewport + " px window): " +
                    sticking(viewport).join("; "));
    }
    chartProblems(problems);
    tableProblems(problems);
    readerProblems(problems);
    mathProblems(problems);
    outputProblems(problems);
    return JSON.stringify({problems: problems, viewport: viewport, column: column()});
  }

  function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

  for (var waited = 0; pending() && waited < 15000; waited += 250) { await sleep(250); }
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    try { await window.MathJax.startup.promise; } catch (err) { /* reported as unrendered maths */ }
  }
  await sleep(300);  // layout settles after the last chart or formula
  return report();
})()
