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
  label.textContent = percent < 100 ? "Sending… " + percent + " %" : "Checking the video(s)…";
});

// Drop clips onto a form with a multiple file picker (attribute "data-drop"): the dropped files
// become that picker's selection, so the form posts them as if they were picked.
document.addEventListener("dragover", function (event) {
  var form = event.target.closest ? event.target.closest("form[data-drop]") : null;
  if (!form) return;
  event.preventDefault();
  form.classList.add("drop-target");
});
document.addEventListener("dragleave", function (event) {
  var form = event.target.closest ? event.target.closest("form[data-drop]") : null;
  if (form && !form.contains(event.relatedTarget)) form.classList.remove("drop-target");
});
document.addEventListener("drop", function (event) {
  var form = event.target.closest ? event.target.closest("form[data-drop]") : null;
  if (!form || !event.dataTransfer || !event.dataTransfer.files.length) return;
  event.preventDefault();
  form.classList.remove("drop-target");
  var input = form.querySelector("input[type=file][name=" + form.dataset.drop + "]");
  if (!input) return;
  var files = new DataTransfer();
  Array.prototype.forEach.call(event.dataTransfer.files, function (file) {
    if (input.multiple || files.items.length === 0) files.items.add(file);
  });
  input.files = files.files;
  input.dispatchEvent(new Event("change", { bubbles: true }));
});
