// Progressive enhancement of the task forms: "增加行" adds an empty table row in place,
// without a round trip. Without JavaScript the same button re-renders the form with more rows.
(function () {
  "use strict";
  function renumber(row, table, index) {
    row.querySelectorAll("input, select, textarea").forEach(function (el) {
      var prefix = table + "-";
      if (el.name && el.name.indexOf(prefix) === 0) {
        var column = el.name.slice(prefix.length).replace(/^\d+-/, "");
        el.name = prefix + index + "-" + column;
        el.id = "f-" + el.name;
        var label = el.getAttribute("aria-label");
        if (label) { el.setAttribute("aria-label", label.replace(/^第 \d+ 行/, "第 " + (index + 1) + " 行")); }
      }
      if (el.type === "checkbox" || el.type === "radio") { el.checked = false; } else { el.value = ""; }
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    row.classList.remove("has-error");
    row.querySelectorAll(".has-error").forEach(function (cell) { cell.classList.remove("has-error"); });
    row.querySelectorAll(".error-text").forEach(function (e) { e.remove(); });
    var number = row.querySelector("td.num");
    if (number) { number.textContent = String(index + 1); }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-add-row]");
    if (!button) { return; }
    var name = button.getAttribute("data-add-row");
    var table = document.querySelector('table[data-table="' + name + '"] tbody');
    if (!table) { return; }
    var rows = table.querySelectorAll("tr:not(.has-error) td.num");
    var template = rows.length ? rows[rows.length - 1].parentElement : null;
    if (!template) { return; }
    event.preventDefault();
    var count = table.querySelectorAll("tr td.num").length;
    var row = template.cloneNode(true);
    renumber(row, name, count);
    table.appendChild(row);
    var extra = document.querySelector('input[name="' + name + '-extra"]');
    if (extra) { extra.value = String(parseInt(extra.value || "0", 10) + 1); }
    var first = row.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  });
})();
// Character counters under text areas with a maximum: the text is never cut; over the limit
// the counter turns red and the server says which field will not pass.
(function () {
  "use strict";
  function update(area) {
    var counter = document.querySelector('[data-count-for="' + area.id + '"]');
    if (!counter) { return; }
    var max = parseInt(area.getAttribute("data-maxlength"), 10);
    var used = Array.from(area.value.replace(/\r\n/g, "\n")).length;
    counter.textContent = "最多 " + max + " 字（已填 " + used + " 字" + (used > max ? "，超出 " + (used - max) + " 字" : "") + "）";
    counter.classList.toggle("over-limit", used > max);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-maxlength]")) { update(event.target); }
  });
  document.querySelectorAll("textarea[data-maxlength]").forEach(update);
})();
