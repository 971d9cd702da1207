// "复制引用": copy a passage with its Chinese citation and, when the report is on the web, its address, e.g.
// 《某市人民代表大会常务委员会工作报告》——2024年1月10日在某市第十七届人民代表大会第四次会议上，“三、全力抓好监督工作”：……（来源：https://…）
// A report known only as a file has no data-url and is cited without 来源 (this server is no source).
// "已复制" is also said in a polite live region, so that a screen reader hears it; the focus stays on the button.
var citeStatus = null;
if (document.querySelector("button.cite")) {
  citeStatus = document.createElement("p");
  citeStatus.className = "visually-hidden cite-status";
  citeStatus.setAttribute("role", "status");
  citeStatus.setAttribute("aria-live", "polite");
  document.body.appendChild(citeStatus);
}
document.addEventListener("click", function (e) {
  var b = e.target.closest("button.cite");
  if (!b) return;
  copyText(citationText(b.dataset), b, function () {
    b.textContent = "已复制";
    if (citeStatus) citeStatus.textContent = "已复制引用：" + b.dataset.citation;
    // emptied afterwards, so that copying the same passage again is announced again
    setTimeout(function () { b.textContent = "复制引用"; if (citeStatus) citeStatus.textContent = ""; }, 1500);
  });
});
// One passage's citation as copied, from the data-* of its "复制引用" button (also used to copy several at once).
function citationText(d) {
  return d.citation + "：" + d.text + (d.url ? "（来源：" + d.url + "）" : "");
}
// Copy ``text`` (the clipboard API, or a selected textarea where it is refused), then call ``done``.
function copyText(text, button, done) {
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(text, button); done(); });
  } else { fallback(text, button); done(); }
}
function fallback(text, back) {
  var t = document.createElement("textarea");
  t.value = text; document.body.appendChild(t); t.select();
  try { document.execCommand("copy"); } finally { document.body.removeChild(t); if (back) back.focus(); }
}

document.addEventListener("keydown", function (e) {
  if (e.defaultPrevented || e.isComposing || e.ctrlKey || e.metaKey || e.altKey) return;
  var t = e.target;
  // "/" goes to the search box from anywhere but a place where the user is typing
  if (e.key === "/" && !t.isContentEditable && !/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) {
    var q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  }
});

// On a phone the filters start folded, so that the results come first on screen as they do in the focus order.
var phone = window.matchMedia("(max-width: 720px)").matches;
var filters = document.querySelector("details.filters");
if (filters && phone) filters.open = false;

// The facet checkboxes are a plain GET form with an "应用" button; with this script a tick applies at once.
// The ticked box gets the focus back on the new page, so keyboard users go on where they were.
var facetForm = document.querySelector("form.facet-form");
if (facetForm) {
  facetForm.querySelector("button.apply").hidden = true;
  facetForm.addEventListener("change", function (e) {
    if (e.target.type !== "checkbox") return;
    try { sessionStorage.setItem("lrsearch-focus", JSON.stringify([e.target.name, e.target.value])); } catch (_) {}
    facetForm.submit();
  });
  var wanted = null;
  try { wanted = JSON.parse(sessionStorage.getItem("lrsearch-focus")); sessionStorage.removeItem("lrsearch-focus"); } catch (_) {}
  if (wanted) {
    var box = Array.prototype.find.call(facetForm.querySelectorAll("input[type=checkbox]"), function (b) {
      return b.name === wanted[0] && b.value === wanted[1];
    });
    if (box && phone) {
      // on a phone the new results come first: the panel stays folded (its summary counts the filters)
      var results = document.getElementById("results");
      if (results) results.focus();
    } else if (box) {
      for (var d = box.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
      box.focus();
    }
  }
}

// Trends and compare (issue 15, item 4): a chart wider than its box opens scrolled to its end, where the
// latest years are; the box scrolls from the keyboard (it is focusable) and by touch.
Array.prototype.forEach.call(document.querySelectorAll(".scroll[data-scroll-end]"), function (box) {
  box.scrollLeft = box.scrollWidth;
});

// Report page (issue 15, items 10–11; the report-page feature): the query's marks one after another, and
// passages picked to copy together with their citations or to compare. The controls are hidden in the page
// and shown here, since without the script they would do nothing. Their own live region says what happened.
(function () {
  var tools = document.querySelector(".doc-tools");
  if (!tools) return;
  var status = tools.querySelector(".doc-status"), timer = null;
  var say = function (text) {
    status.textContent = text;
    clearTimeout(timer);          // emptied afterwards, so that the same news is announced again next time
    timer = setTimeout(function () { status.textContent = ""; }, 3000);
  };

  // "上一处/下一处": the focus stays on the button (pressed again, it goes on); the mark is scrolled to,
  // outlined and read out with its place, as a browser's own find does. It starts from the passage the page
  // was opened at.
  var marks = Array.prototype.slice.call(document.querySelectorAll("article.doc .passage mark"));
  var nav = tools.querySelector(".match-nav");
  if (nav && marks.length) {
    nav.hidden = false;
    var current = -1;
    var target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (target) {
      var first = marks.findIndex(function (m) {
        return target.contains(m) || (target.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      current = first > 0 ? first - 1 : -1;
    }
    var go = function (step) {
      if (current >= 0) marks[current].classList.remove("current");
      current = current < 0 && step < 0 ? marks.length - 1 : (current + step + marks.length) % marks.length;
      var m = marks[current];
      m.classList.add("current");
      m.scrollIntoView({block: "center"});
      say("第 " + (current + 1) + " 处，共 " + marks.length + " 处：" + m.closest(".passage").textContent.trim().slice(0, 60));
    };
    nav.querySelector(".prev-match").addEventListener("click", function () { go(-1); });
    nav.querySelector(".next-match").addEventListener("click", function () { go(1); });
  }

  // Picking passages: copy them all, each with its citation (as "复制引用" copies one), or compare two.
  var selection = tools.querySelector(".selection");
  var boxes = document.querySelectorAll(".ptools .pick");
  if (!selection || !boxes.length) return;
  Array.prototype.forEach.call(boxes, function (l) { l.hidden = false; });
  var copy = selection.querySelector(".copy-picked"), compare = selection.querySelector(".compare-picked");
  var picked = function () { return Array.prototype.slice.call(document.querySelectorAll(".ptools .pick input:checked")); };
  // the buttons for the picked passages join the bar at the top (which stays on screen) once one is picked
  var update = function () {
    var n = picked().length;
    selection.querySelector(".picked").textContent = "已选 " + n + " 段";
    selection.hidden = n === 0;
    copy.disabled = n === 0;
    compare.disabled = n !== 2;
    return n;
  };
  document.addEventListener("change", function (e) {
    if (!e.target.closest(".ptools .pick")) return;
    var n = update();
    say(n ? "已选 " + n + " 段，页顶可复制所选引用" + (n === 2 ? "或对比这两段" : "") : "未选段落");
  });
  copy.addEventListener("click", function () {
    var chosen = picked();
    var text = chosen.map(function (box) {
      return citationText(box.closest(".ptools").querySelector("button.cite").dataset);
    }).join("\n\n");
    copyText(text, copy, function () {
      copy.textContent = "已复制";
      say("已复制 " + chosen.length + " 段及其引用");
      setTimeout(function () { copy.textContent = "复制所选引用"; }, 1500);
    });
  });
  compare.addEventListener("click", function () {
    var ids = picked().map(function (box) { return box.value; });
    if (ids.length === 2) location.href = "/diff?a=" + encodeURIComponent(ids[0]) + "&b=" + encodeURIComponent(ids[1]);
  });
  update();
})();

// "对比" with any passage (issue 15, item 10): on a passage's comparison page, "另从检索结果或报告中选乙段"
// keeps it as 甲 for this tab; every "对比" link then leads to 甲 side by side with its passage, and a note at
// the top of each page says so, with a way to stop.
(function () {
  var KEY = "lrsearch-compare";
  var remember = document.querySelector("button.remember-pick");
  if (remember) {
    remember.parentElement.hidden = false;
    remember.addEventListener("click", function () {
      try { sessionStorage.setItem(KEY, JSON.stringify({id: remember.dataset.id, label: remember.dataset.label})); } catch (_) {}
      if (history.length > 1) history.back(); else location.href = "/";
    });
  }
  // run again when the page comes back from the back-forward cache (as the search does after history.back())
  window.addEventListener("pageshow", function (e) { if (e.persisted) mark(); });
  mark();

  function mark() {
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEY)); } catch (_) {}
    var main = document.getElementById("content");
    if (!kept || !kept.id || !main || main.querySelector(".compare-pick")) return;
    var links = document.querySelectorAll("a.compare");
    Array.prototype.forEach.call(links, function (a) {
      var other = new URL(a.href).searchParams.get("a");
      if (!other || new URL(a.href).searchParams.get("b") || other === kept.id) return;
      a.href = "/diff?a=" + encodeURIComponent(kept.id) + "&b=" + encodeURIComponent(other);
      a.textContent = "与甲段对比";
    });
    var note = document.createElement("p");
    note.className = "compare-pick";
    note.setAttribute("role", "status");
    note.appendChild(document.createTextNode("已记下甲段：" + kept.label + "。点任一段的“与甲段对比”，即与之并排对比。"));
    var stop = document.createElement("button");
    stop.type = "button";
    stop.textContent = "不再对比";
    stop.addEventListener("click", function () {
      try { sessionStorage.removeItem(KEY); } catch (_) {}
      location.reload();
    });
    note.appendChild(stop);
    main.insertBefore(note, main.firstChild);
  }
})();
