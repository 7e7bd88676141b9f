/* The room page and the screen it is on: the tab's title counts the messages that
 * came while the tab was hidden, and on a phone the message list is sized so that the
 * message box is on screen without scrolling, and stays above the on-screen keyboard
 * (the visual viewport shrinks when it opens). Loaded before room.js. */
(function () {
  "use strict";

  var PHONE = "(max-width: 47.99rem)";
  var MIN_LIST_PX = 120;

  window.RoomScreen = function (ctx) {
    var list = ctx.list;
    var form = ctx.form;
    var input = ctx.input;
    var baseTitle = document.title;
    var unread = 0;

    // --- "(3) Room · …" while the tab is hidden ------------------------------------

    function showUnread() {
      document.title = unread ? "(" + unread + ") " + baseTitle : baseTitle;
    }

    function arrived(m) {
      var me = ctx.me();
      if (document.visibilityState !== "hidden" || m.deleted) { return; }
      if (me && m.author && m.author.id === me.id) { return; }   // one's own, from another tab
      unread += 1;
      showUnread();
    }

    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && unread) {
        unread = 0;
        showUnread();
      }
    });

    // --- A phone: the list takes what is left above the message box ------------------

    var phone = window.matchMedia(PHONE);
    var vv = window.visualViewport;

    function fit() {
      if (!phone.matches) { list.style.height = ""; return; }
      var height = vv ? vv.height : window.innerHeight;
      var below = form.getBoundingClientRect().bottom - list.getBoundingClientRect().bottom;
      var top = list.getBoundingClientRect().top + window.scrollY;
      var room = height - top - below - 8;
      // Writing with too little height left (the on-screen keyboard is open): the list
      // and the box fill what is visible, the box last, right above the keyboard.
      var typing = document.activeElement === input && room < 2 * MIN_LIST_PX;
      if (typing) { room = height - below - 8; }
      list.style.height = Math.max(MIN_LIST_PX, Math.floor(room)) + "px";
      if (typing) {
        window.scrollTo(0, Math.max(0, Math.floor(top - (vv ? vv.offsetTop : 0))));
        list.scrollTop = list.scrollHeight;
      }
    }

    var pending = false;
    function fitSoon() {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; fit(); });
    }

    if (vv) { vv.addEventListener("resize", fitSoon); }
    window.addEventListener("resize", fitSoon);
    if (phone.addEventListener) { phone.addEventListener("change", fitSoon); }
    input.addEventListener("focus", fitSoon);
    input.addEventListener("blur", fitSoon);
    // The box grows with "Replying to…" or an error line.
    if (window.ResizeObserver) { new ResizeObserver(fitSoon).observe(form); }
    fit();

    return { arrived: arrived, fit: fit, unread: function () { return unread; } };
  };
})();
