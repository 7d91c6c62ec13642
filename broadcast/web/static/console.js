/* The console's small script. Every page works without it (forms post, pages refresh); it adds:
   the on-air card updated every few seconds, the bulletin preview updated as one types, and
   "+ Thêm dòng" for list-of-entries fields. No library, no network but this console. */
"use strict";

function csrfToken(form) {
  var field = form.querySelector("input[name=csrf]");
  return field ? field.value : "";
}

function refreshOnAir(box, url) {
  fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (s) {
      if (!s) { return; }
      var card = box.querySelector("#dang-phat");
      if (!card) { return; }
      var text;
      if (!s.running) {
        text = "<p class=\"error\"></p>";
        card.classList.remove("onair");
        card.innerHTML = "<h2>Đang phát</h2>" + text;
        card.querySelector(".error").textContent = s.error;
        return;
      }
      if (s.on_air) {
        card.classList.add("onair");
        var since = new Date(s.on_air.since);
        card.innerHTML = "<h2>Đang phát</h2><p><strong></strong> — bắt đầu lúc <span class=\"since\"></span></p><p class=\"zones\">Cụm loa: </p>";
        card.querySelector("strong").textContent = s.on_air.session;
        card.querySelector(".since").textContent = since.toLocaleTimeString("vi-VN", {hour12: false});
        s.on_air.zones.forEach(function (z) {
          var b = document.createElement("span");
          b.className = "badge ok";
          b.textContent = z;
          card.querySelector(".zones").appendChild(b);
          card.querySelector(".zones").appendChild(document.createTextNode(" "));
        });
      } else {
        card.classList.remove("onair");
        card.innerHTML = "<h2>Đang phát</h2><p>Không có gì đang phát. Dịch vụ phát sóng đang chạy <span class=\"badge ok\">sẵn sàng</span>.</p>";
      }
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

document.addEventListener("DOMContentLoaded", function () {
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
