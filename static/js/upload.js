// Progress bar for forms with files (class "with-progress") while htmx sends them.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest ? event.target.closest("form.with-progress") : null;
  if (!form || !event.detail.lengthComputable) return;
  var box = form.querySelector(".upload-progress");
  var bar = box.querySelector("progress");
  var label = box.querySelector(".progress-label");
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  box.hidden = false;
  bar.value = percent;
  label.textContent = percent < 100 ? "Sending… " + percent + " %" : "Checking the video…";
});
