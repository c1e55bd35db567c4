/* The class journal grid: keyboard entry like a spreadsheet; each cell saves at once (no dependencies).
 *
 * The table (journal/render/grid.py) carries everything: lesson columns are the header cells with data-l (pk,
 * state class open|unlocked|locked|future, data-d/-t/-w/-s/-r/-u for the info line), pupil rows have data-p, a cell
 * holds the attendance code in <i> and the marks in <b>. data-cell-url is present only for those who may write.
 * The server is the authority: a refused write comes back with a Russian message and the cell as stored.
 *
 * What a key means (docs/journal.md, «Клавиши»): a digit 1–5 is a mark, «+»/«−» зачёт/незачёт, a Russian letter
 * н б у п (or «о» then «п») an attendance code, and «в» («все присутствуют») marks the column's register as taken.
 * A Russian letter counts by the character typed; on any other layout by the physical key where the Russian layout
 * has it (KeyboardEvent.code: «н» is the key Y, «б» the comma key), so
 * a Latin «b» is the key of «и», not «б». Nothing is read as the nearest code: any other character, and 0 and 6–9,
 * is refused in the cell with a message, and nothing is sent.
 *
 * For the keyboard and screen readers (docs/accessibility.md): the table is one stop in the page's Tab order (roving
 * tabindex: only the active cell has tabindex="0"), the arrows move inside; Tab and Enter go down the column when the
 * grid takes entries, so leaving it is Escape then Tab (or Shift+Tab); a read-only grid lets Tab leave at once. The
 * active cell alone carries its name (pupil, lesson, content): none of the other cells grows the page.
 */
(function () {
  "use strict";

  var table = document.getElementById("grid");
  if (!table) return;

  var cellUrl = table.getAttribute("data-cell-url") || "";
  var attendanceUrl = table.getAttribute("data-attendance-url") || "";
  var canEdit = cellUrl !== "";
  var period = table.getAttribute("data-period") || "";
  var historyUrl = table.getAttribute("data-history-url") || "";
  var placeholder = table.getAttribute("data-placeholder") || "";
  var wrap = document.getElementById("grid-wrap");
  var info = document.getElementById("grid-info");
  var statusBox = document.getElementById("grid-status");
  var bar = document.getElementById("grid-bar");
  // The page's texts come translated from the server (journal.render.grid.script_messages) as JSON.
  var messagesBox = document.getElementById("grid-messages");
  var MESSAGES = messagesBox ? JSON.parse(messagesBox.textContent) : {};
  function msg(key) { return MESSAGES[key] || key; }
  var tokenInput = document.querySelector("input[name=csrfmiddlewaretoken]");
  var csrf = tokenInput ? tokenInput.value : "";

  var ABSENT = { "н": 1, "б": 1, "у": 1, "п": 1 };
  var LOW = { "1": 1, "2": 1, "нз": 1 };
  // The physical keys of the Russian layout's letters that mean something here (the layout of the keyboard label).
  var RUSSIAN_KEYS = { KeyY: "н", Comma: "б", KeyE: "у", KeyG: "п", KeyJ: "о", KeyD: "в" };
  var CYRILLIC = /^[а-яё]$/;
  var SAVE_TIMEOUT = 15000; // ms

  var headRow = table.tHead.rows[0];
  var columns = [];
  var first = -1;
  for (var h = 0; h < headRow.cells.length; h++) {
    var th = headRow.cells[h];
    if (!th.hasAttribute("data-l")) continue;
    if (first < 0) first = th.cellIndex;
    var state = ["open", "unlocked", "locked", "future"].filter(function (s) { return th.classList.contains(s); })[0];
    columns.push({ th: th, id: th.getAttribute("data-l"), state: state, control: th.classList.contains("ctl") });
  }
  var rows = Array.prototype.slice.call(table.tBodies[0] ? table.tBodies[0].rows : []);
  if (!columns.length || !rows.length) return;

  var active = null; // {r, c}
  var typedHere = 0; // digits typed into the active cell since arriving: the second one is the second mark
  var pendingLate = false; // «о» typed, waiting for «п»
  var exitArmed = false; // Escape pressed: the next Tab / Shift+Tab leaves the grid
  var keysHint = document.getElementById("grid-keys");
  var queue = Promise.resolve(); // saves go one at a time, in the order typed

  function cellAt(r, c) { return rows[r].cells[first + c]; }
  function format(text, value) { return text.replace("%s", value); }
  function inClass(td) { return !td.classList.contains("x"); }
  function columnEditable(c) { var s = columns[c].state; return s === "open" || s === "unlocked"; }
  function pupilName(r) { var th = rows[r].querySelector(".nm"); return th ? th.getAttribute("title") : ""; }

  // Cell contents ----------------------------------------------------------------------------------------------
  function parts(td) {
    var marks = td.querySelectorAll("b");
    var att = td.querySelector("i");
    return { mark1: marks[0] ? marks[0].textContent : "", mark2: marks[1] ? marks[1].textContent : "",
      att: att ? att.textContent : "" };
  }
  function esc(text) { return text.replace(/[&<>"]/g, function (ch) { return "&#" + ch.charCodeAt(0) + ";"; }); }
  function markHtml(v) { return LOW[v] ? '<b class="lo">' + esc(v) + "</b>" : "<b>" + esc(v) + "</b>"; }
  function render(p) {
    var html = p.att ? "<i>" + esc(p.att) + "</i>" : "";
    if (p.mark1 || p.mark2) html += markHtml(p.mark1);
    if (p.mark2) html += markHtml(p.mark2);
    return html;
  }

  // Focus and the info line ------------------------------------------------------------------------------------
  function setStatus(text, kind) {
    if (!statusBox) return;
    statusBox.textContent = text;
    statusBox.className = "gr-status small ms-2" + (kind ? " " + kind : "");
  }

  function showInfo(r, c) {
    nameCell(r, c);
    if (!info) return;
    var th = columns[c].th;
    var td = cellAt(r, c);
    info.textContent = "";
    var strong = document.createElement("b");
    strong.textContent = pupilName(r);
    info.appendChild(strong);
    var bits = [th.getAttribute("data-d")];
    if (th.getAttribute("data-t")) bits.push(th.getAttribute("data-t"));
    if (th.getAttribute("data-w")) bits.push(th.getAttribute("data-w"));
    if (th.getAttribute("data-s")) bits.push(msg("substitute") + " " + th.getAttribute("data-s"));
    info.appendChild(document.createTextNode(" · " + bits.join(" · ")));
    var note = "";
    if (!inClass(td)) note = msg("notEnrolled");
    else if (td.classList.contains("err")) {
      // The reason once: the status line above already says it when it is about this cell.
      note = td.getAttribute("title") || "";
      if (statusBox && note && statusBox.textContent === note) note = msg("refusedAbove");
    }
    else if (!columnEditable(c) || !canEdit) note = th.getAttribute("data-r") || "";
    else if (columns[c].state === "unlocked") note = msg("unlockedUntil") + " " + th.getAttribute("data-r");
    if (note) {
      var span = document.createElement("span");
      span.className = td.classList.contains("err") ? "text-danger fw-semibold" : "gi-lock";
      span.textContent = " · " + note;
      info.appendChild(span);
    }
    info.appendChild(document.createTextNode(" · "));
    var link = document.createElement("a");
    link.href = th.getAttribute("data-u");
    link.textContent = msg("openLesson");
    link.setAttribute("aria-keyshortcuts", "L");
    info.appendChild(link);
  }

  // The active cell's accessible name: «Иванова Анна, пн 02.11.2026, 1 урок: н 5» (or «пусто», «не в классе…»).
  function nameCell(r, c) {
    var td = cellAt(r, c);
    var p = parts(td);
    var content = [p.att, p.mark1, p.mark2].filter(Boolean).join(" ");
    if (!inClass(td)) content = msg("notEnrolled");
    else if (!content) content = msg("empty");
    if (td.classList.contains("err") && td.title) content += ". " + td.title;
    td.setAttribute("aria-label", pupilName(r) + ", " + columns[c].th.getAttribute("data-d") + ": " + content);
  }

  function highlight(on) {
    if (!active) return;
    var td = cellAt(active.r, active.c);
    td.classList.toggle("on", on);
    rows[active.r].classList.toggle("hl", on);
    columns[active.c].th.classList.toggle("hl", on);
    if (!on) { td.tabIndex = -1; td.removeAttribute("aria-label"); }
  }

  function activate(r, c, focus) {
    r = Math.max(0, Math.min(rows.length - 1, r));
    c = Math.max(0, Math.min(columns.length - 1, c));
    if (active && (active.r !== r || active.c !== c)) leave(active.r, active.c);
    if (!active || active.r !== r || active.c !== c) {
      typedHere = 0;
      pendingLate = false;
    }
    highlight(false);
    active = { r: r, c: c };
    highlight(true);
    var td = cellAt(r, c);
    td.tabIndex = 0;
    if (focus !== false) td.focus();
    showInfo(r, c);
  }

  function nextRow(r, c, step) {
    // The next pupil down (or up) the column who was in the class that day; past the end, the next lesson.
    var rr = r + step;
    var cc = c;
    for (var guard = 0; guard < rows.length * 2 + 2; guard++) {
      if (rr >= rows.length) { rr = 0; cc += 1; }
      if (rr < 0) { rr = rows.length - 1; cc -= 1; }
      if (cc < 0 || cc >= columns.length) return null;
      if (inClass(cellAt(rr, cc))) return { r: rr, c: cc };
      rr += step;
    }
    return null;
  }

  // Saving -----------------------------------------------------------------------------------------------------
  function updateStats(r, stats) {
    var row = rows[r];
    var avg = row.querySelector("td.sa"), count = row.querySelector("td.sc"), fc = row.querySelector("td.sf");
    if (avg) avg.textContent = stats.avg;
    if (fc) fc.textContent = stats.fc;
    if (count) {
      count.textContent = stats.n;
      count.classList.toggle("low", stats.low);
      if (stats.low) count.title = msg("fewMarks") + " " + stats.min;
      else count.removeAttribute("title");
    }
  }

  function updateMissing(c) {
    var col = columns[c];
    if (!col.control || col.state === "future") return;
    var missing = 0;
    for (var r = 0; r < rows.length; r++) {
      var td = cellAt(r, c);
      if (!inClass(td)) continue;
      var p = parts(td);
      if (!ABSENT[p.att] && !p.mark1 && !p.mark2) missing++;
    }
    var box = col.th.querySelector(".mk");
    var badge = box.querySelector(".ms");
    if (!missing) { if (badge) badge.remove(); return; }
    if (!badge) { badge = document.createElement("span"); badge.className = "ms"; box.appendChild(badge); }
    badge.textContent = missing;
    badge.title = msg("missing") + ": " + missing;
  }

  function isActive(r, c) { return !!active && active.r === r && active.c === c; }

  function refused(td, r, c, message, html) {
    td.classList.remove("sv", "typo");
    td.classList.add("err");
    td.title = message;
    if (html !== undefined && html !== null) td.innerHTML = html;
    // The info line names the active cell's pupil and lesson; an answer for a cell already left says whose it is.
    if (isActive(r, c)) {
      setStatus(message, "err");
      showInfo(r, c);
    } else {
      setStatus(pupilName(r) + ", " + columns[c].th.getAttribute("data-d") + ": " + message, "err");
    }
    updateMissing(c);
  }

  // A key that is no mark and no attendance code: refused in the cell, nothing is sent. The cell stays red until
  // the teacher leaves it or types something valid; the stored value is untouched.
  function refuseTyped(message) {
    var r = active.r, c = active.c, td = cellAt(r, c);
    td.classList.remove("pend");
    td.classList.add("err", "typo");
    td.title = message;
    setStatus(message, "err");
    showInfo(r, c);
  }

  function leave(r, c) {
    var td = cellAt(r, c);
    if (pendingLate) {
      pendingLate = false;
      td.classList.remove("pend");
      setStatus(msg("lateDropped"), "err");
    }
    if (td.classList.contains("typo")) {
      td.classList.remove("err", "typo");
      td.removeAttribute("title");
    }
  }

  function send(r, c, field, value, previousHtml) {
    var td = cellAt(r, c);
    var body = new URLSearchParams();
    body.set("lesson", columns[c].id);
    body.set("pupil", rows[r].getAttribute("data-p"));
    body.set("field", field);
    body.set("value", value);
    if (period) body.set("period", period);
    var abort = window.AbortController ? new AbortController() : null;
    var timer = abort ? setTimeout(function () { abort.abort(); }, SAVE_TIMEOUT) : null;
    return fetch(cellUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch", Accept: "application/json" },
      body: body,
      credentials: "same-origin",
      signal: abort ? abort.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") < 0) {
        var why = response.status === 403 ? msg("forbidden") : msg("session");
        refused(td, r, c, why, previousHtml);
        return;
      }
      return response.json().then(function (data) {
        if (!response.ok) {
          refused(td, r, c, data.error || msg("refused"), data.html !== undefined ? data.html : previousHtml);
          return;
        }
        td.classList.remove("sv", "err");
        td.removeAttribute("title");
        td.innerHTML = data.html;
        if (data.stats) updateStats(r, data.stats);
        updateMissing(c);
        setStatus(msg("saved"), "ok");
        if (active && active.r === r && active.c === c) showInfo(r, c);
      });
    }).catch(function () {
      clearTimeout(timer);
      refused(td, r, c, msg("offline"), previousHtml);
    });
  }

  function write(r, c, field, value) {
    var td = cellAt(r, c);
    if (!canEdit) return false;
    if (!inClass(td)) { setStatus(pupilName(r) + ": " + msg("notEnrolled"), "err"); return false; }
    if (!columnEditable(c)) { setStatus(columns[c].th.getAttribute("data-r") || msg("locked"), "err"); return false; }
    var p = parts(td);
    var previousHtml = td.innerHTML;
    var key = field === "att" ? "att" : field;
    if (p[key] === value) return true;
    p[key] = value;
    td.innerHTML = render(p); // at once; the answer replaces it with what was stored
    td.classList.add("sv");
    td.classList.remove("err", "typo");
    setStatus(msg("saving"), "");
    queue = queue.then(function () { return send(r, c, field, value, previousHtml); });
    return true;
  }

  function clearLast(r, c) {
    var p = parts(cellAt(r, c));
    if (p.mark2) write(r, c, "mark2", "");
    else if (p.mark1) write(r, c, "mark1", "");
    else if (p.att) write(r, c, "att", "");
    typedHere = 0;
  }

  function clearAll(r, c) {
    var p = parts(cellAt(r, c));
    if (p.mark2) write(r, c, "mark2", "");
    if (p.mark1) write(r, c, "mark1", "");
    if (p.att) write(r, c, "att", "");
    typedHere = 0;
  }

  function typeMark(value, second) {
    var r = active.r, c = active.c;
    var p = parts(cellAt(r, c));
    // A second mark stands beside a first one (the server holds the same rule): without a first it would read as one.
    if (second && !p.mark1) { refuseTyped(msg("secondNeedsFirst")); return; }
    var field = (second || typedHere > 0) && p.mark1 ? "mark2" : "mark1";
    if (write(r, c, field, value)) typedHere += 1;
  }

  // «в»: all present — the column's register is taken, apart from the absences entered (Lesson.attendance_taken_at).
  function attendanceTaken(c) {
    var col = columns[c];
    if (!attendanceUrl) return;
    if (!columnEditable(c)) { setStatus(col.th.getAttribute("data-r") || msg("locked"), "err"); return; }
    setStatus(msg("attendanceSaving"), "");
    var url = attendanceUrl.replace(placeholder, col.id);
    queue = queue.then(function () {
      return fetch(url, {
        method: "POST",
        headers: { "X-CSRFToken": csrf, "X-Requested-With": "fetch", Accept: "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) { setStatus(msg("session"), "err"); return; }
        return response.json().then(function (data) {
          if (!response.ok) { setStatus(data.error || msg("refused"), "err"); return; }
          var box = col.th.querySelector(".mk");
          if (box && !box.querySelector(".at")) {
            var mark = document.createElement("span");
            mark.className = "at";
            mark.title = msg("attendanceTaken");
            mark.textContent = "\u2713";
            box.insertBefore(mark, box.firstChild);
          }
          setStatus(msg("attendanceTaken"), "ok");
        });
      }).catch(function () { setStatus(msg("offline"), "err"); });
    });
  }

  // History ----------------------------------------------------------------------------------------------------
  function openHistory(r, c) {
    if (!historyUrl) return;
    var url = historyUrl.replace(String(Number(placeholder) + 1), rows[r].getAttribute("data-p"))
      .replace(placeholder, columns[c].id);
    var modalEl = document.getElementById("grid-history");
    var body = document.getElementById("grid-history-body");
    if (!modalEl || !body || !window.bootstrap) { window.location.href = url; return; }
    body.textContent = msg("loading");
    var modal = window.bootstrap.Modal.getOrCreateInstance(modalEl);
    modalEl.addEventListener("hidden.bs.modal", function () { if (active) cellAt(active.r, active.c).focus(); },
      { once: true });
    modal.show();
    fetch(url + "?partial=1", { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) { body.innerHTML = html; })
      .catch(function () { body.textContent = msg("historyFailed"); });
  }

  // Keys -------------------------------------------------------------------------------------------------------
  // The digit of a digit key, 0–9, by the physical key (Shift+2 is «"» or «@» by layout) or the character.
  function digit(event) {
    var m = /^(?:Digit|Numpad)([0-9])$/.exec(event.code || "");
    if (m) return m[1];
    return /^[0-9]$/.test(event.key) ? event.key : "";
  }

  // The Russian letter a key stands for: the character on a Russian layout; on any other, the letter of the Russian
  // layout on the same physical key, for the keys that mean something here ("" for the rest: not an entry).
  function russianLetter(event) {
    var lower = event.key.toLowerCase();
    if (CYRILLIC.test(lower)) return lower;
    return RUSSIAN_KEYS[event.code] || "";
  }

  function typedName(event) { return event.key === " " ? msg("space") : event.key; }

  function onKey(event) {
    if (!active || event.ctrlKey || event.metaKey || event.altKey) return;
    var r = active.r, c = active.c, key = event.key, target;
    // Leaving the grid: after Escape (or at once when it takes no entries) Tab is the browser's, and the focus moves
    // to what comes after the table (Shift+Tab: before it), the other cells being out of the Tab order.
    if (key === "Tab" && (exitArmed || !canEdit)) { exitArmed = false; return; }
    if (key !== "Shift") exitArmed = key === "Escape";
    switch (key) {
      case "ArrowUp": activate(r - 1, c); break;
      case "ArrowDown": activate(r + 1, c); break;
      case "ArrowLeft": activate(r, c - 1); break;
      case "ArrowRight": activate(r, c + 1); break;
      case "Home": activate(r, 0); break;
      case "End": activate(r, columns.length - 1); break;
      case "PageDown": activate(r + 10, c); break;
      case "PageUp": activate(r - 10, c); break;
      case "Enter":
      case "Tab":
        target = nextRow(r, c, event.shiftKey ? -1 : 1);
        if (!target) { if (key === "Tab") return; break; } // Tab past the very last cell leaves the grid
        activate(target.r, target.c);
        break;
      case "Backspace":
      case "Escape":
        if (pendingLate || key === "Escape") { // Backspace after «о» takes back the «о», not the cell's last entry
          pendingLate = false;
          cellAt(r, c).classList.remove("pend");
          if (cellAt(r, c).classList.contains("typo")) leave(r, c);
          setStatus(key === "Escape" && keysHint ? keysHint.getAttribute("data-escape") || "" : "", "");
          showInfo(r, c);
          break;
        }
        clearLast(r, c);
        break;
      case "Delete": clearAll(r, c); break;
      case "?": var help = document.getElementById("grid-help"); if (help) help.open = !help.open; break;
      default:
        if (key.length !== 1) return; // Shift, a dead key, an IME's «Process»: not a character, not ours
        if (event.code === "KeyI") { openHistory(r, c); break; }
        if (event.code === "KeyL") { window.location.href = columns[c].th.getAttribute("data-u"); break; }
        if (!canEdit) return; // reading: the other keys type nothing
        var d = digit(event);
        var letter = d ? "" : russianLetter(event);
        if (pendingLate) {
          pendingLate = false;
          cellAt(r, c).classList.remove("pend");
          if (letter === "п") write(r, c, "att", "оп");
          else refuseTyped(format(msg("lateExpected"), typedName(event)));
          break;
        }
        if (d) {
          if (d >= "1" && d <= "5") typeMark(d, event.shiftKey);
          else refuseTyped(format(msg("markRange"), d));
          break;
        }
        if (key === "+" || key === "=") { typeMark("зч", false); break; }
        if (key === "-" || key === "_") { typeMark("нз", false); break; }
        if (letter === "о") {
          pendingLate = true;
          cellAt(r, c).classList.remove("err", "typo");
          cellAt(r, c).classList.add("pend");
          setStatus(msg("late"), "");
          break;
        }
        if (ABSENT[letter]) { write(r, c, "att", letter); break; }
        if (letter === "в") { attendanceTaken(c); break; }
        refuseTyped(format(msg("notAnEntry"), typedName(event)));
        break;
    }
    event.preventDefault();
  }

  table.addEventListener("keydown", onKey);
  table.addEventListener("click", function (event) {
    var td = event.target.closest("td");
    if (!td || !td.parentNode.hasAttribute("data-p")) return;
    var c = td.cellIndex - first;
    if (c < 0 || c >= columns.length) return;
    activate(rows.indexOf(td.parentNode), c);
  });
  table.addEventListener("dblclick", function (event) {
    var td = event.target.closest("td");
    if (td && active && td === cellAt(active.r, active.c)) openHistory(active.r, active.c);
  });

  if (bar) {
    bar.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the cell's focus
    bar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button || !active) return;
      var r = active.r, c = active.c, field = button.getAttribute("data-field");
      if (field === "mark") typeMark(button.getAttribute("data-value"), false);
      else if (field === "att") write(r, c, "att", button.getAttribute("data-value"));
      else if (field === "present") attendanceTaken(c);
      else if (field === "clear") clearAll(r, c);
      else if (field === "history") openHistory(r, c);
      cellAt(r, c).focus();
    });
  }

  // Keep the focused cell clear of the sticky names and headers when the grid scrolls to it.
  function padScroll() {
    if (!wrap) return;
    var name = table.querySelector("thead .nm");
    var number = table.querySelector("thead .n");
    wrap.style.scrollPaddingLeft = ((name ? name.offsetWidth : 0) + (number ? number.offsetWidth : 0)) + "px";
    wrap.style.scrollPaddingTop = table.tHead.offsetHeight + "px";
    var stats = table.querySelector("thead th.sa");
    if (stats && getComputedStyle(stats).position === "sticky") wrap.style.scrollPaddingRight = (4 * stats.offsetWidth) + "px";
  }
  padScroll();
  window.addEventListener("resize", padScroll);

  // Start on the latest lesson that can take marks (else the latest held one): the column of the day.
  var start = -1;
  for (var c = columns.length - 1; c >= 0; c--) {
    if (columnEditable(c)) { start = c; break; }
  }
  if (start < 0) {
    for (var c2 = columns.length - 1; c2 >= 0; c2--) { if (columns[c2].state !== "future") { start = c2; break; } }
  }
  if (start < 0) start = 0;
  var firstRow = nextRow(-1, start, 1);
  var startRow = firstRow && firstRow.c === start ? firstRow.r : 0;
  // Entry pages take the focus at once; elsewhere (reading, the lesson page with its form) only scroll to it.
  activate(startRow, start, !!bar);
  if (!bar && wrap) {
    // The latest held lesson at the right edge, the ones before it in view.
    var td0 = cellAt(startRow, start);
    wrap.scrollLeft = Math.max(0, td0.offsetLeft + 2 * td0.offsetWidth - wrap.clientWidth);
  }
})();
