// Evaluated in a built page by tests/book_check.py (Chrome DevTools protocol, awaited):
// once the charts are drawn and MathJax is done, resolves to the problems a reader would
// meet, as JSON. Console errors are collected by book_check.py from the protocol's events.
// Besides what breaks a page, it finds what a demanding reader trips over: a table wider
// than its column with nothing saying so or a caption the reader must scroll to read,
// chart text cut or run together, marks over a
// plot's edge, legends missing or cut, text that vanishes in dark mode, photos without
// a licence line, and headers or chart labels that show an identifier instead of words.
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
    // A claim's chapter opens with its verdict and ends with how to rerun it; the chapter
    // beyond the paper answers each of its questions in a box of the same kind.
    var page = (location.pathname.split("/").pop() || "");
    if (/^0[1-6]_\w+\.html$/.test(page) && !document.querySelector(".admonition.ha-verdict")) {
      problems.push("the chapter has no verdict box");
    }
    if (/^\d\d_\w+\.html$/.test(page) && !document.querySelector(".admonition.ha-rerun")) {
      problems.push("the chapter has no rerun box");
    }
  }

  // ---------------------------------------------------------------- what a demanding reader finds

  function box(el) { return el.getBoundingClientRect(); }
  function shown(el) {
    for (var up = el; up && up.nodeType === 1; up = up.parentElement) {
      var style = getComputedStyle(up);
      if (style.display === "none" || style.visibility === "hidden" || parseFloat(style.opacity) === 0) return false;
      if (up.getAttribute && up.getAttribute("opacity") === "0") return false;
    }
    var b = box(el);
    return b.width > 0 && b.height > 0;
  }
  function short(text) { return JSON.stringify(String(text).replace(/\s+/g, " ").trim().slice(0, 60)); }
  function tableLabel(table, i) {
    var caption = table.querySelector("caption");
    return "table " + (i + 1) + (caption ? " " + short(caption.textContent) : "");
  }

  // (a) A table wider than its column scrolls inside its box; the reader must be told.
  function fitProblems(problems) {
    var width = column();
    document.querySelectorAll("article table, .bd-article table").forEach(function (table, i) {
      if (table.closest(".humanalign-chart")) return;
      var drawn = box(table).width;
      var scroller = null;
      for (var up = table.parentElement; up && up !== document.body; up = up.parentElement) {
        if (/auto|scroll|hidden/.test(getComputedStyle(up).overflowX)) { scroller = up; break; }
      }
      var room = scroller ? Math.min(scroller.clientWidth, width) : width;
      if (drawn <= room + 1) return;
      // Its caption must be readable without scrolling: within the box the table scrolls in.
      var caption = table.querySelector(":scope > caption");
      if (caption && scroller && shown(caption)) {
        var words = document.createRange();  // the caption's text, not its box (as wide as the table)
        words.selectNodeContents(caption);
        var beyond = words.getBoundingClientRect().right - box(scroller).right;
        if (beyond > 1) {
          problems.push(tableLabel(table, i) + ": its caption runs " + Math.round(beyond) +
                        " px beyond the edge of the column; the reader must scroll to read it");
        }
      }
      var holder = (scroller && scroller.parentElement) || table.parentElement;
      var cue = Array.from(holder.querySelectorAll(".ha-scroll-cue")).concat(
        Array.from(holder.children).filter(function (el) { return el !== scroller && /scroll/i.test(el.textContent); }));
      if (!cue.some(shown)) {
        problems.push(tableLabel(table, i) + " is " + Math.round(drawn) + " px wide in a " + Math.round(room) +
                      " px column, with nothing showing that more columns lie beyond the edge");
      }
    });
  }

  // (b) Text of a chart cut at the chart's edge, labels of an axis running into each other,
  // marks crossing the edge of their plot.
  function overlap(a, b) {
    return Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
           Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
  }
  function shapeOf(path) { return (path.getAttribute("d") || "").replace(/-?[\d.]+(e-?\d+)?/g, "#"); }
  function chartLayoutProblems(problems) {
    document.querySelectorAll(".humanalign-chart").forEach(function (chart) {
      var svg = chart.querySelector("svg");
      if (!svg) return;
      var edge = box(svg);
      var cut = Array.from(svg.querySelectorAll("text")).filter(function (t) {
        var b = box(t);
        return shown(t) && t.textContent.trim() && (b.left < edge.left - 1 || b.right > edge.right + 1 ||
                                                    b.top < edge.top - 1 || b.bottom > edge.bottom + 1);
      });
      if (cut.length) {
        problems.push("chart " + chart.id + " has text cut at its edge: " + cut.slice(0, 3).map(function (t) {
          return short(t.textContent); }).join(", "));
      }
      svg.querySelectorAll("g.role-axis").forEach(function (axis) {
        var labels = Array.from(axis.querySelectorAll("g.role-axis-label text")).filter(shown);
        for (var i = 0; i < labels.length; i++) {
          for (var j = i + 1; j < labels.length; j++) {
            if (overlap(box(labels[i]), box(labels[j]))) {
              problems.push("chart " + chart.id + " has axis labels that run into each other: " +
                            short(labels[i].textContent) + " and " + short(labels[j].textContent));
              return;
            }
          }
        }
      });
      // A mark's plot is the nearest group around it with a background of its own (in a
      // facetted chart, its panel).
      var crossing = Array.from(svg.querySelectorAll("g.mark-symbol path")).filter(function (mark) {
        if (mark.closest(".role-legend") || !shown(mark)) return false;
        var frame = null;
        for (var up = mark.parentElement; up && up !== svg && !frame; up = up.parentElement) {
          var back = up.querySelector(":scope > path.background");
          if (back && box(back).width > 0 && box(back).height > 0) frame = back;
        }
        if (!frame) return false;
        var b = box(mark), f = box(frame);
        return b.left < f.left - 0.5 || b.right > f.right + 0.5 || b.top < f.top - 0.5 || b.bottom > f.bottom + 0.5;
      });
      if (crossing.length) {
        problems.push("chart " + chart.id + " has " + crossing.length + " mark(s) crossing the edge of the plot");
      }
    });
  }

  // (c) Every kind of mark (shape, colour) a chart draws is explained by a legend that is
  // whole: not cut at the chart's edge, no entry shortened with "...".
  function legendProblems(problems) {
    document.querySelectorAll(".humanalign-chart").forEach(function (chart) {
      var svg = chart.querySelector("svg");
      if (!svg) return;
      var edge = box(svg);
      var legends = Array.from(svg.querySelectorAll("g.role-legend"));
      legends.forEach(function (legend) {
        var b = box(legend);
        if (b.right > edge.right + 1 || b.left < edge.left - 1 || b.bottom > edge.bottom + 1) {
          problems.push("chart " + chart.id + " has a legend cut at its edge (" + short(legend.textContent) + ")");
        }
        legend.querySelectorAll("g.role-legend-label text").forEach(function (t) {
          if (/\u2026$/.test(t.textContent.trim())) {
            problems.push("chart " + chart.id + " has a legend entry cut short: " + short(t.textContent));
          }
        });
      });
      var marks = Array.from(svg.querySelectorAll("g.mark-symbol path")).filter(function (m) {
        return !m.closest(".role-legend") && shown(m);
      });
      var keyed = Array.from(svg.querySelectorAll(".role-legend-symbol path, .role-legend path"));
      var shapes = {}, keyShapes = {}, fills = {}, keyFills = {};
      marks.forEach(function (m) { shapes[shapeOf(m)] = 1; fills[getComputedStyle(m).fill] = 1; });
      keyed.forEach(function (m) { keyShapes[shapeOf(m)] = 1; keyFills[getComputedStyle(m).fill] = 1; });
      var unexplained = Object.keys(shapes).filter(function (s) { return !keyShapes[s]; });
      if (Object.keys(shapes).length > 1 && unexplained.length) {
        problems.push("chart " + chart.id + " draws " + Object.keys(shapes).length +
                      " kinds of marks but its legend does not show " + unexplained.length + " of them");
      }
      var uncoloured = Object.keys(fills).filter(function (f) { return !keyFills[f]; });
      if (Object.keys(fills).length > 1 && uncoloured.length) {
        problems.push("chart " + chart.id + " draws marks in " + Object.keys(fills).length +
                      " colours but its legend does not show " + uncoloured.length + " of them");
      }
    });
  }

  // (d) Text readable in the theme's dark mode (the theme sets data-theme="dark" on <html>).
  function rgba(text) {
    var m = String(text).match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    var v = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return {r: v[0], g: v[1], b: v[2], a: v.length > 3 ? v[3] : 1};
  }
  function luminance(c) {
    var f = function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  }
  function over(top, under) {
    var a = top.a + under.a * (1 - top.a);
    if (a === 0) return {r: 255, g: 255, b: 255, a: 1};
    return {r: (top.r * top.a + under.r * under.a * (1 - top.a)) / a,
            g: (top.g * top.a + under.g * under.a * (1 - top.a)) / a,
            b: (top.b * top.a + under.b * under.a * (1 - top.a)) / a, a: a};
  }
  function backdrop(el) {
    var layers = [];
    for (var up = el; up && up.nodeType === 1; up = up.parentElement) {
      var c = rgba(getComputedStyle(up).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    var colour = {r: 255, g: 255, b: 255, a: 1};
    if (!layers.length || layers[layers.length - 1].a < 1) {
      colour = rgba(getComputedStyle(document.documentElement).backgroundColor) || colour;
      if (colour.a === 0) colour = {r: 255, g: 255, b: 255, a: 1};
    }
    for (var i = layers.length - 1; i >= 0; i--) colour = over(layers[i], colour);
    return colour;
  }
  // Vega paints a chart's background as the first rectangle of its SVG.
  function chartBackdrop(el) {
    var svg = el.ownerSVGElement || el.closest("svg");
    var rect = svg && svg.querySelector(":scope > rect:first-child");
    var fill = rect && rgba(getComputedStyle(rect).fill);
    return fill && fill.a >= 1 ? fill : backdrop(svg ? svg.parentElement : el);
  }
  function contrast(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function ownText(el) {
    return Array.from(el.childNodes).some(function (n) { return n.nodeType === 3 && n.textContent.trim(); });
  }
  async function darkProblems(problems) {
    var root = document.documentElement;
    var before = root.getAttribute("data-theme");
    var still = document.createElement("style");  // no colour transition half-way through
    still.textContent = "*, *::before, *::after { transition: none !important; animation: none !important; }";
    document.head.appendChild(still);
    root.setAttribute("data-theme", "dark");
    await sleep(50);
    try {
      var faint = [];
      document.querySelectorAll("article *, .bd-article *").forEach(function (el) {
        if (!ownText(el) || !shown(el) || el.closest("mjx-container, script, style")) return;
        var isSvg = el instanceof SVGElement;
        var fg = rgba(isSvg ? getComputedStyle(el).fill : getComputedStyle(el).color);
        if (!fg || fg.a === 0) return;
        var bg = isSvg ? chartBackdrop(el) : backdrop(el);
        var ratio = contrast(over(fg, bg), bg);
        if (ratio < 3) faint.push(name(el) + " " + short(el.textContent) + " (contrast " + ratio.toFixed(1) + ")");
      });
      if (faint.length) {
        problems.push("in dark mode, " + faint.length + " text element(s) can hardly be read: " +
                      faint.slice(0, 3).join("; "));
      }
    } finally {
      if (before === null) root.removeAttribute("data-theme"); else root.setAttribute("data-theme", before);
      still.remove();
    }
  }

  // (e) A photo shown on a page says under which licence.
  var LICENCE = /licen[cs]|\bCC0\b|\bCC[ -]BY|public domain|apache|\bMIT\b|\bGPL|\u00a9|copyright|rights reserved|terms of use|research use/i;
  function imageProblems(problems) {
    var bare = [];
    document.querySelectorAll("article img, .bd-article img").forEach(function (img) {
      if (img.closest(".humanalign-chart, mjx-container") || (img.naturalWidth && img.naturalWidth < 32)) return;
      var texts = [];
      var figure = img.closest("figure");
      if (figure && figure.querySelector("figcaption")) texts.push(figure.querySelector("figcaption").textContent);
      for (var up = img.parentElement, depth = 0; up && depth < 3; up = up.parentElement, depth++) {
        if (up.textContent.length > 1200) break;  // the whole page is not "beside" the image
        texts.push(up.textContent);
        if (up.nextElementSibling) texts.push(up.nextElementSibling.textContent.slice(0, 400));
      }
      if (!texts.some(function (t) { return LICENCE.test(t); })) {
        bare.push(short(img.getAttribute("alt") || (img.getAttribute("src") || "").split("/").pop()));
      }
    });
    if (bare.length) {
      problems.push(bare.length + " image(s) without a licence line beside them: " + bare.slice(0, 3).join(", "));
    }
  }

  // (f) What a reader reads as a label (a table's header, a chart's text) is in words: no
  // identifier in snake_case (zero_shot), no model id (human/vice_42d).
  var IDENTIFIER = /(^|[\s(])([a-z][a-z0-9]*_[a-z0-9_]+|[a-z_]+\/[\w-]+\.[\w.-]+|human\/\w+)(?=$|[\s),:;])/;
  function labelProblems(problems) {
    var found = [];
    document.querySelectorAll("article th, .bd-article th, .humanalign-chart svg text").forEach(function (el) {
      if (el.closest("code, pre, .highlight")) return;
      var text = el.textContent.replace(/\s+/g, " ").trim();
      var m = text.match(IDENTIFIER);
      if (m && shown(el)) found.push(short(m[2]) + " in " + short(text));
    });
    if (found.length) {
      problems.push(found.length + " label(s) show an identifier rather than words: " +
                    Array.from(new Set(found)).slice(0, 3).join("; "));
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
    [fitProblems, chartLayoutProblems, legendProblems, imageProblems, labelProblems].forEach(function (check) {
      try { check(problems); } catch (err) { problems.push("the page check " + check.name + " failed: " + err); }
    });
    return {problems: problems, viewport: viewport, column: column()};
  }

  function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

  for (var waited = 0; pending() && waited < 15000; waited += 250) { await sleep(250); }
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    try { await window.MathJax.startup.promise; } catch (err) { /* reported as unrendered maths */ }
  }
  await sleep(300);  // layout settles after the last chart or formula
  var found = report();
  try { await darkProblems(found.problems); } catch (err) { found.problems.push("the dark-mode check failed: " + err); }
  return JSON.stringify(found);
})()
