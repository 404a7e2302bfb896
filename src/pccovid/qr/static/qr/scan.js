// Live camera scanning where the browser can decode QR codes itself (BarcodeDetector); otherwise the
// photo and paste inputs of the same form do the work. No library, nothing fetched from the network.
(function () {
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  document.querySelectorAll("[data-scan]").forEach(function (box) {
    var button = box.querySelector("[data-scan-camera]");
    var video = box.querySelector("[data-scan-video]");
    var field = box.querySelector("[data-scan-text]");
    button.hidden = false;
    button.addEventListener("click", async function () {
      var detector = new BarcodeDetector({ formats: ["qr_code"] });
      var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      var timer = setInterval(async function () {
        var codes = await detector.detect(video).catch(function () { return []; });
        if (!codes.length) return;
        clearInterval(timer);
        stream.getTracks().forEach(function (track) { track.stop(); });
        video.hidden = true;
        field.value = codes[0].rawValue;
        field.form.requestSubmit();
      }, 300);
    });
  });
})();
