// Videos: upload with a progress bar (XHR upload events) and in-page recording (MediaRecorder), both
// progressive enhancements: without JavaScript the form posts normally, and on phones the file input's
// `capture` attribute opens the camera app.
(function () {
  "use strict";

  function chooseMimeType() {
    var candidates = ["video/mp4", "video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm"];
    for (var i = 0; i < candidates.length; i++) {
      if (window.MediaRecorder && MediaRecorder.isTypeSupported && MediaRecorder.isTypeSupported(candidates[i])) {
        return candidates[i];
      }
    }
    return "";
  }

  function setupRecorder(section, fileInput) {
    if (!section || !fileInput || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.MediaRecorder) {
      return null;
    }
    section.hidden = false;
    var preview = section.querySelector("[data-recorder-preview]");
    var status = section.querySelector("[data-recorder-status]");
    var startBtn = section.querySelector("[data-recorder-start]");
    var recordBtn = section.querySelector("[data-recorder-record]");
    var stopBtn = section.querySelector("[data-recorder-stop]");
    var maxSeconds = parseInt(section.getAttribute("data-max-seconds"), 10) || 180;
    var stream = null;
    var recorder = null;
    var chunks = [];
    var timer = null;
    var state = { file: null };

    function stopStream() {
      if (stream) {
        stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
      }
    }

    startBtn.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "user" }, audio: true }).then(function (s) {
        stream = s;
        preview.srcObject = s;
        preview.controls = false;
        preview.muted = true;
        preview.play();
        startBtn.hidden = true;
        recordBtn.hidden = false;
        status.textContent = "Camera on. Press Start recording when you are ready (up to " + maxSeconds + " seconds).";
      }).catch(function () {
        status.textContent = "The camera could not be opened. Allow camera access, or pick a file below.";
      });
    });

    recordBtn.addEventListener("click", function () {
      var mimeType = chooseMimeType();
      chunks = [];
      recorder = mimeType ? new MediaRecorder(stream, { mimeType: mimeType }) : new MediaRecorder(stream);
      recorder.ondataavailable = function (e) { if (e.data && e.data.size) { chunks.push(e.data); } };
      recorder.onstop = function () {
        clearTimeout(timer);
        var type = recorder.mimeType || mimeType || "video/webm";
        var blob = new Blob(chunks, { type: type });
        var ext = type.indexOf("mp4") !== -1 ? "mp4" : "webm";
        state.file = new File([blob], "recording." + ext, { type: type });
        stopStream();
        preview.srcObject = null;
        preview.src = URL.createObjectURL(blob);
        preview.muted = false;
        preview.controls = true;
        try {
          var dt = new DataTransfer();
          dt.items.add(state.file);
          fileInput.files = dt.files;
        } catch (err) { /* older browsers: the XHR upload sends state.file */ }
        stopBtn.hidden = true;
        startBtn.hidden = false;
        startBtn.textContent = "Record again";
        status.textContent = "Recorded. Watch it back, then press Upload.";
      };
      recorder.start(1000);
      recordBtn.hidden = true;
      stopBtn.hidden = false;
      status.textContent = "Recording…";
      timer = setTimeout(function () { if (recorder.state !== "inactive") { recorder.stop(); } }, maxSeconds * 1000);
    });

    stopBtn.addEventListener("click", function () {
      if (recorder && recorder.state !== "inactive") { recorder.stop(); }
    });

    fileInput.addEventListener("change", function () { state.file = null; });
    return state;
  }

  function showErrors(box, errors) {
    box.textContent = "";
    Object.keys(errors).forEach(function (field) {
      errors[field].forEach(function (message) {
        var p = document.createElement("p");
        p.className = "msg error";
        p.textContent = message;
        box.appendChild(p);
      });
    });
  }

  function setupUpload(form, recorded) {
    if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
    var progressBox = form.querySelector("[data-upload-progress]");
    var bar = progressBox.querySelector("progress");
    var text = form.querySelector("[data-upload-progress-text]");
    var errorBox = form.querySelector("[data-form-errors]");
    var button = form.querySelector("button[type=submit]");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new FormData(form);
      var input = form.querySelector("input[type=file]");
      if (recorded && recorded.file && (!input.files || !input.files.length)) {
        data.set(input.name, recorded.file);
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var pct = Math.round((e.loaded / e.total) * 100);
          bar.value = pct;
          text.textContent = pct + "% uploaded";
        }
      });
      xhr.addEventListener("load", function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = null; }
        if (xhr.status === 201 && body && body.redirect) {
          text.textContent = "Uploaded. Opening your video…";
          window.location.assign(body.redirect);
          return;
        }
        button.disabled = false;
        progressBox.hidden = true;
        if (body && body.errors) {
          showErrors(errorBox, body.errors);
        } else if (xhr.status === 413) {
          showErrors(errorBox, { video: ["The file is too big for this server."] });
        } else {
          showErrors(errorBox, { video: ["The upload failed (" + xhr.status + "). Please try again."] });
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        progressBox.hidden = true;
        showErrors(errorBox, { video: ["The connection was lost during the upload. Please try again."] });
      });
      errorBox.textContent = "";
      bar.value = 0;
      text.textContent = "Starting…";
      progressBox.hidden = false;
      button.disabled = true;
      xhr.send(data);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-video-upload-form]");
    if (!form) { return; }
    var fileInput = form.querySelector("input[type=file]");
    var recorded = setupRecorder(document.querySelector("[data-video-recorder]"), fileInput);
    setupUpload(form, recorded);
  });
})();
