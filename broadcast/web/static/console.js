/* The console's small script. Every page works without it (forms post, pages refresh); it adds:
   the on-air card updated every few seconds, the bulletin preview updated as one types, and
   "+ Thêm dòng" for list-of-entries fields. No library, no network but this console. */
"use strict";

function csrfToken(form) {
  var field = form.querySelector("input[name=csrf]");
  return field ? field.value : "";
}

function refreshOnAir(box, url) {
  /* The card is rendered by the console (zone names, what is reachable, in Vietnamese): swap it in. */
  fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
    .then(function (r) { return r.ok ? r.text() : null; })
    .then(function (html) {
      var card = box.querySelector("#dang-phat");
      if (!html || !card) { return; }
      var next = document.createElement("div");
      next.innerHTML = html;
      var fresh = next.querySelector("#dang-phat");
      if (fresh) { card.replaceWith(fresh); }
    })
    .catch(function () { /* the next poll tries again */ });
}

function livePreview(form) {
  var target = document.querySelector("#xem-truoc .preview-body");
  if (!target) { return; }
  var timer = null;
  var run = function () {
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.preview, {method: "POST", body: data, credentials: "same-origin",
                                 headers: {"X-CSRF-Token": csrfToken(form)}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { target.innerHTML = html; } })
      .catch(function () {});
  };
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 600);
  });
}

function addRows(form) {
  form.querySelectorAll("fieldset.entries").forEach(function (set) {
    var button = set.querySelector(".add-row");
    var rows = set.querySelector(".entry-rows");
    if (!button || !rows) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var last = rows.querySelector("fieldset.entry:last-of-type");
      var next = parseInt(rows.dataset.next, 10);
      var copy = last.cloneNode(true);
      copy.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/\[\d+\]/, "[" + next + "]");
        input.value = "";
      });
      copy.querySelector("legend").textContent = "Dòng " + (next + 1);
      rows.appendChild(copy);
      rows.dataset.next = String(next + 1);
    });
  });
}

function liveReading(form) {
  var out = form.querySelector(".read-aloud");
  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData(form);
      data.delete("action");
      fetch(form.dataset.read, {method: "POST", body: data, credentials: "same-origin",
                                headers: {"X-CSRF-Token": csrfToken(form)}})
        .then(function (r) { return r.text(); })
        .then(function (text) { out.textContent = text; })
        .catch(function () {});
    }, 400);
  });
}

function recorder(section) {
  /* Thu âm: MediaRecorder from the microphone, a level meter while recording, the result sent as a file. */
  var box = section.querySelector(".recorder");
  var form = section.querySelector("form.rec-form");
  if (!box || !form || !navigator.mediaDevices || !window.MediaRecorder) { return; }
  box.hidden = false;
  var start = box.querySelector(".rec-start"), stop = box.querySelector(".rec-stop");
  var bar = box.querySelector(".meter > span"), clock = box.querySelector(".rec-time");
  var rec = null, chunks = [], stream = null, timer = null, began = 0;
  start.addEventListener("click", function () {
    // The browser's own voice-call processing off: echo cancellation, noise suppression and automatic gain
    // pump and smear a reading (a steady sound is "noise" and faded out within two seconds); the station's
    // mastering does the clean-up, the same for every recording.
    var raw = {echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1};
    navigator.mediaDevices.getUserMedia({audio: raw}).then(function (s) {
      stream = s;
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var analyser = ctx.createAnalyser();
      analyser.fftSize = 1024;
      ctx.createMediaStreamSource(s).connect(analyser);
      var data = new Float32Array(analyser.fftSize);
      chunks = [];
      rec = new MediaRecorder(s);
      rec.ondataavailable = function (e) { if (e.data.size) { chunks.push(e.data); } };
      rec.onstop = function () {
        clearInterval(timer);
        stream.getTracks().forEach(function (t) { t.stop(); });
        ctx.close();
        var type = rec.mimeType || "audio/webm";
        var body = new FormData();
        body.append("csrf", csrfToken(form));
        body.append("file", new Blob(chunks, {type: type}), "thu-am." + (type.indexOf("ogg") >= 0 ? "ogg" : "webm"));
        clock.textContent = "đang gửi…";
        fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                            headers: {"X-Console-Fetch": "1"}})
          .then(function (r) { return r.json(); })
          .then(function (j) { window.location.assign(j.location); window.location.reload(); })
          .catch(function () { clock.textContent = "gửi không được, hãy thử lại"; });
      };
      rec.start(250);
      began = Date.now();
      start.disabled = true;
      stop.disabled = false;
      timer = setInterval(function () {
        analyser.getFloatTimeDomainData(data);
        var sum = 0;
        for (var i = 0; i < data.length; i++) { sum += data[i] * data[i]; }
        var db = 20 * Math.log10(Math.sqrt(sum / data.length) + 1e-9);
        bar.style.width = Math.max(0, Math.min(100, (db + 60) * 100 / 60)) + "%";
        clock.textContent = Math.round((Date.now() - began) / 1000) + " giây";
      }, 100);
    }).catch(function () { clock.textContent = "không mở được micrô"; });
  });
  stop.addEventListener("click", function () { if (rec && rec.state !== "inactive") { stop.disabled = true; rec.stop(); } });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("#thu-am, section.thu-am").forEach(recorder);
  var lexiconForm = document.querySelector("form.lexicon-form");
  if (lexiconForm) { liveReading(lexiconForm); }
  var dash = document.querySelector("[data-status]");
  if (dash) {
    setInterval(function () { refreshOnAir(dash, dash.dataset.status); }, 3000);
  }
  var form = document.querySelector("form.bulletin-form");
  if (form) {
    livePreview(form);
    addRows(form);
  }
});
