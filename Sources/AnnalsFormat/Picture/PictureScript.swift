/// The script of the HTML timeline: the hover and focus card, keyboard navigation, highlighted links,
/// zoom (the toolbar's buttons, or + − 0 on the page) and pan (drag the drawing, or scroll).
///
/// It reads the events' details from the JSON in `#annals-data` and builds the card with
/// `textContent` and `createElement` only (never HTML from data), so event text stays text; source
/// links get an `href` only when they are http or https URLs. If a font draws a label wider than the
/// box the layout gave it, the label is condensed to fit (`textLength`), so labels never overlap.
enum PictureScript {
    static let source = #"""
    (function () {
      "use strict";
      var svg = document.querySelector("svg.annals-timeline");
      var card = document.getElementById("card");
      var data = JSON.parse(document.getElementById("annals-data").textContent);
      var events = Array.prototype.slice.call(svg.querySelectorAll(".ev"));
      events.sort(function (a, b) { return a.getAttribute("data-i") - b.getAttribute("data-i"); });
      var links = Array.prototype.slice.call(svg.querySelectorAll(".ln"));
      var current = null, pinned = false, hideTimer = 0;

      Array.prototype.forEach.call(svg.querySelectorAll("text[data-w]"), function (t) {
        var w = parseFloat(t.getAttribute("data-w"));
        if (t.getComputedTextLength() > w) {
          t.setAttribute("textLength", w);
          t.setAttribute("lengthAdjust", "spacingAndGlyphs");
        }
      });

      function el(tag, cls, text) {
        var e = document.createElement(tag);
        if (cls) e.className = cls;
        if (text !== undefined && text !== null) e.textContent = text;
        return e;
      }

      function fill(d) {
        card.textContent = "";
        card.appendChild(el("h2", null, d.t));
        var meta = el("p", "meta");
        meta.appendChild(el("span", "kind k-" + d.f, d.k));
        meta.appendChild(document.createTextNode(" " + d.d));
        card.appendChild(meta);
        var edtf = el("p", "edtf");
        edtf.appendChild(el("code", null, d.e));
        edtf.appendChild(document.createTextNode(" " + d.r));
        card.appendChild(edtf);
        if (d.x) card.appendChild(el("p", "retracted", "Retracted: " + d.x));
        if (d.a.length) card.appendChild(el("p", "actors", d.a.join(", ")));
        if (d.s) card.appendChild(el("p", "summary", d.s));
        if (d.ref.length) {
          var refs = el("ul", "refs");
          d.ref.forEach(function (r) {
            refs.appendChild(el("li", r[3] ? null : "outside", r[0] + " \u2192 " + r[1] + (r[2] ? " (" + r[2] + ")" : "") + (r[3] ? "" : ", not shown")));
          });
          card.appendChild(refs);
        }
        if (d.src.length) {
          var list = el("ul", "sources");
          d.src.forEach(function (s) {
            var li = el("li"), a = el("a", null, s[1] || s[0]);
            if (/^https?:\/\//i.test(s[0])) { a.href = s[0]; a.rel = "noopener noreferrer"; a.target = "_blank"; }
            li.appendChild(a);
            list.appendChild(li);
          });
          card.appendChild(list);
        }
      }

      function place(ev) {
        var r = ev.querySelector(".mk").getBoundingClientRect();
        var w = card.offsetWidth, h = card.offsetHeight;
        var x = r.right + 14, y = r.top - 10;
        if (x + w > window.innerWidth - 8) x = Math.max(8, r.left - w - 14);
        if (y + h > window.innerHeight - 8) y = Math.max(8, window.innerHeight - h - 8);
        card.style.left = (x + window.scrollX) + "px";
        card.style.top = (y + window.scrollY) + "px";
      }

      function show(ev) {
        clearTimeout(hideTimer);
        if (current && current !== ev) current.classList.remove("on");
        current = ev;
        ev.classList.add("on");
        var id = ev.getAttribute("data-id");
        links.forEach(function (l) {
          l.classList.toggle("on", l.getAttribute("data-from") === id || l.getAttribute("data-to") === id);
        });
        fill(data[+ev.getAttribute("data-i")]);
        card.hidden = false;
        ev.setAttribute("aria-describedby", "card");
        place(ev);
      }

      function hide() {
        if (pinned) return;
        card.hidden = true;
        card.classList.remove("pinned");
        if (current) { current.classList.remove("on"); current.removeAttribute("aria-describedby"); }
        links.forEach(function (l) { l.classList.remove("on"); });
      }

      function later() { clearTimeout(hideTimer); hideTimer = setTimeout(hide, 300); }

      function pin(on) { pinned = on; card.classList.toggle("pinned", on); }

      function move(to) {
        var next = events[Math.max(0, Math.min(events.length - 1, to))];
        if (next) next.focus();
      }

      events.forEach(function (ev, i) {
        ev.setAttribute("tabindex", i === 0 ? "0" : "-1");
        ev.addEventListener("mouseenter", function () { if (!pinned) show(ev); });
        ev.addEventListener("mouseleave", function () { if (!pinned) later(); });
        ev.addEventListener("focus", function () {
          events.forEach(function (e) { e.setAttribute("tabindex", e === ev ? "0" : "-1"); });
          if (!pinned || current !== ev) { pin(false); show(ev); }
        });
        ev.addEventListener("click", function (e) { e.stopPropagation(); ev.focus(); show(ev); pin(true); });
        ev.addEventListener("keydown", function (e) {
          var k = e.key;
          if (k === "ArrowRight" || k === "ArrowDown") move(i + 1);
          else if (k === "ArrowLeft" || k === "ArrowUp") move(i - 1);
          else if (k === "Home") move(0);
          else if (k === "End") move(events.length - 1);
          else if (k === "Enter" || k === " ") { show(ev); pin(!pinned); }
          else if (k === "Escape") { pin(false); hide(); }
          else return;
          e.preventDefault();
        });
      });
      card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
      card.addEventListener("mouseleave", function () { if (!pinned) later(); });
      document.addEventListener("click", function (e) {
        if (!card.contains(e.target)) { pin(false); hide(); }
      });
      document.addEventListener("keydown", function (e) {
        if (e.key === "Escape") { pin(false); hide(); }
        else if ((e.key === "+" || e.key === "=")) zoomBy(1.5);
        else if (e.key === "-") zoomBy(1 / 1.5);
        else if (e.key === "0") zoomTo(1);
      });

      var scroller = svg.parentNode, natural = svg.width.baseVal.value, zoom = 1;
      var shown = document.getElementById("zoom-level");
      function zoomTo(z) {
        var centre = (scroller.scrollLeft + scroller.clientWidth / 2) / (natural * zoom);
        zoom = Math.max(0.25, Math.min(12, z));
        svg.style.width = natural * zoom + "px";
        svg.style.height = "auto";
        scroller.scrollLeft = centre * natural * zoom - scroller.clientWidth / 2;
        if (shown) shown.textContent = Math.round(zoom * 100) + "%";
        if (current && !card.hidden) place(current);
      }
      function zoomBy(f) { zoomTo(zoom * f); }
      function bind(id, f) { var b = document.getElementById(id); if (b) b.addEventListener("click", function (e) { e.stopPropagation(); f(); }); }
      bind("zoom-in", function () { zoomBy(1.5); });
      bind("zoom-out", function () { zoomBy(1 / 1.5); });
      bind("zoom-fit", function () { zoomTo(scroller.clientWidth / natural); });
      bind("zoom-reset", function () { zoomTo(1); });
      var drag = null;
      svg.addEventListener("pointerdown", function (e) {
        if (e.button === 0 && !e.target.closest(".ev")) drag = { x: e.clientX, y: e.clientY, left: scroller.scrollLeft, top: window.scrollY };
      });
      window.addEventListener("pointermove", function (e) {
        if (!drag) return;
        scroller.scrollLeft = drag.left - (e.clientX - drag.x);
        window.scrollTo(window.scrollX, drag.top - (e.clientY - drag.y));
      });
      window.addEventListener("pointerup", function () { drag = null; });
    })();
    """#
}
