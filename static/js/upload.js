// Progress bar for the upload form while htmx sends the files.
document.addEventListener("htmx:xhr:progress", function (event) {
  var form = event.target.closest ? event.target.closest("#upload-form") : null;
  if (!form || !event.detail.lengthComputable) return;
  var box = form.querySelector(".upload-progress");
  var bar = box.querySelector("progress");
  var label = box.querySelector(".progress-label");
  var percent = Math.round((event.detail.loaded / event.detail.total) * 100);
  box.hidden = false;
  bar.value = percent;
  label.textContent = percent < 100 ? "Sending… " + percent + " %" : "Checking the video…";
});
