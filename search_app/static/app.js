// "复制引用": copy a passage with its Chinese citation, e.g. 《…工作报告》（2020年）“三、全力抓好监督工作”：…
document.addEventListener("click", function (e) {
  var b = e.target.closest("button.cite");
  if (!b) return;
  var text = b.dataset.citation + "：" + b.dataset.text;
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
