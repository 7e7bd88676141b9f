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

  // What the buyer reads when a payment fails: Stripe's own words only where Stripe
  // writes them in the page's language (card and validation errors); ours for a
  // decline and for everything else (a fake server's "Bad request", "A payment method
  // is required.", a network failure).
  function errorText(error, data) {
    if (!error) return data.messageFailed;
    if (error.code === "card_declined") return data.messageDeclined;
    if ((error.type === "card_error" || error.type === "validation_error") && error.message) {
      return error.message;
    }
    if (error.type === "invalid_request_error") return data.messageCardInvalid;
    return data.messageFailed;
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
    const billing = { name: data.buyerName, email: data.buyerEmail };
    let elements = null;
    let card = null;
    if (data.paymentElement) {
      // Cards and the wallets Stripe offers this buyer (automatic payment methods).
      elements = stripe.elements({ clientSecret: data.clientSecret, locale: data.locale });
      card = elements.create("payment", { defaultValues: { billingDetails: billing } });
    } else {
      card = stripe.elements({ locale: data.locale }).create("card", { hidePostalCode: true });
    }
    card.mount("#card-element");
    card.on("change", function (event) {
      errors.textContent = event && event.error ? errorText(event.error, data) : "";
    });
    button.disabled = expired;

    function pay() {
      if (elements) {
        return stripe.confirmPayment({
          elements: elements,
          redirect: "if_required",
          confirmParams: {
            return_url: new URL(data.confirmationUrl, window.location.href).href,
            payment_method_data: { billing_details: billing },
          },
        });
      }
      return stripe.confirmCardPayment(data.clientSecret, {
        payment_method: { card: card, billing_details: billing },
      });
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (expired || button.disabled) return;
      button.disabled = true;
      form.setAttribute("aria-busy", "true");
      errors.textContent = "";
      let result;
      try {
        result = await pay();
      } catch (error) {
        result = { error: { type: "api_connection_error" } };
      }
      form.removeAttribute("aria-busy");
      if (result.error) {
        errors.textContent = errorText(result.error, data);
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
