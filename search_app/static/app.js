// "复制引用": copy a passage with its Chinese citation and where to find it, e.g.
// 《巴彦淖尔市人大常委会工作综述》（2020年）“三、全力抓好监督工作”：……（来源：https://…）
document.addEventListener("click", function (e) {
  var b = e.target.closest("button.cite");
  if (!b) return;
  var text = b.dataset.citation + "：" + b.dataset.text + (b.dataset.url ? "（来源：" + b.dataset.url + "）" : "");
  var done = function () { b.textContent = "已复制"; setTimeout(function () { b.textContent = "复制引用"; }, 1500); };
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(text); done(); });
  } else { fallback(text); done(); }
});
function fallback(text) {
  var t = document.createElement("textarea");
  t.value = text; document.body.appendChild(t); t.select();
  try { document.execCommand("copy"); } finally { document.body.removeChild(t); }
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
var filters = document.querySelector("details.filters");
if (filters && window.matchMedia("(max-width: 720px)").matches) filters.open = false;

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
    if (box) {
      for (var d = box.closest("details"); d; d = d.parentElement.closest("details")) d.open = true;
      box.focus();
    }
  }
}
