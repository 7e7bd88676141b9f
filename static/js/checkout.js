// Checkout: pay with Stripe.js, then go to the confirmation page, which waits for
// the webhook by polling the order's status. The server never trusts this script:
// tickets are sold only when Stripe's signed webhook says the payment succeeded.
// A declined card keeps the reservation: the buyer may try again on the same page.
// Both pages follow the order's real state (its JSON status) until it settles.
(function () {
  "use strict";

  // The hold as one reading, "14 min 59 s left", from the page's translated template.
  function countdown(element, onExpired) {
    const seconds = parseInt(element.dataset.secondsLeft, 10);
    if (isNaN(seconds)) return;
    const template = element.dataset.template || "{minutes} min {seconds} s";
    const deadline = Date.now() + seconds * 1000;
    function tick() {
      const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      element.textContent = template
        .replace("{minutes}", String(Math.floor(left / 60)))
        .replace("{seconds}", String(left % 60));
      if (left === 0) {
        onExpired();
        return;
      }
      window.setTimeout(tick, 1000);
    }
    tick();
  }

  function setUpPayment(form) {
    const button = document.getElementById("pay-button");
    const errors = document.getElementById("card-errors");
    const data = form.dataset;
    let expired = false;

    const timer = document.getElementById("checkout-countdown");
    if (timer) {
      countdown(timer, function () {
        expired = true;
        button.disabled = true;
        errors.textContent = data.messageExpired;
      });
    }
    if (typeof window.Stripe !== "function") {
      errors.textContent = data.messageFailed;
      return;
    }
    // A direct charge: Stripe.js acts on the association's connected account.
    const options = { locale: data.locale };
    if (data.stripeAccount) {
      options.stripeAccount = data.stripeAccount;
    }
    const stripe = window.Stripe(data.publishableKey, options);
    const card = stripe.elements({ locale: data.locale }).create("card", { hidePostalCode: true });
    card.mount("#card-element");
    card.on("change", function (event) {
      errors.textContent = event && event.error ? event.error.message : "";
    });
    button.disabled = expired;

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (expired || button.disabled) return;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      errors.textContent = "";
      const result = await stripe.confirmCardPayment(data.clientSecret, {
        payment_method: {
          card: card,
          billing_details: { name: data.buyerName, email: data.buyerEmail },
        },
      });
      form.removeAttribute("aria-busy");
      if (result.error) {
        errors.textContent = result.error.message || data.messageFailed;
        button.disabled = expired;
        return;
      }
      window.location.assign(data.confirmationUrl);
    });

    // Paid in another tab, cancelled, expired: the confirmation page says which.
    followStatus(data.statusUrl, function (body) {
      if (body.settled) window.location.assign(data.confirmationUrl);
      return body.settled;
    });
  }

  // Ask for the order's state until `onStatus` returns true; wait longer each time
  // (2 s, then up to 10 s), for as long as the page stays open.
  function followStatus(url, onStatus) {
    if (!url) return;
    let delay = 2000;
    async function poll() {
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" } });
        if (response.ok && onStatus(await response.json())) return;
      } catch (error) {
        // Offline for a moment: try again at the next tick.
      }
      delay = Math.min(delay * 1.5, 10000);
      window.setTimeout(poll, delay);
    }
    window.setTimeout(poll, delay);
  }

  // Confirmation page: reload once the order's state changes (e.g. the webhook
  // arrived), until it settles.
  function pollStatus(element) {
    const initial = element.dataset.state;
    followStatus(element.dataset.statusUrl, function (body) {
      if (body.state === initial) return false;
      window.location.reload();
      return true;
    });
  }

  const form = document.getElementById("checkout-form");
  if (form) setUpPayment(form);
  const state = document.getElementById("order-state");
  if (state && state.dataset.statusUrl) pollStatus(state);
})();
