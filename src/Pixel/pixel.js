/* Shopify custom pixel (Settings › Customer events): posts events to /collect for Pinterest's
   Conversions API and, with marketing consent, fires the Pinterest Tag with the same event_id. */
(function () {
  var config = __PIXEL_CONFIG__;
  var G = typeof globalThis !== 'undefined' ? globalThis : typeof self !== 'undefined' ? self : {};
  var KEY = 'pinterest_capi_cart_token';
  var PREFIX = { page_viewed: 'pv', product_viewed: 'vc', collection_viewed: 'cv', search_submitted: 'se',
    product_added_to_cart: 'atc', cart_viewed: 'cart', checkout_started: 'ic', checkout_completed: 'ck',
    payment_info_submitted: 'api', form_submitted: 'ld' };
  // Sandbox globals may be absent or be parameters of Shopify's wrapper: bare typeof checks.
  var B = typeof browser !== 'undefined' && browser || {};
  var I = typeof init !== 'undefined' && init || {};
  var consent = flags(I.customerPrivacy); // replaced, never mutated: events keep what they saw
  var cartToken = cartOf(at(I, 'data.cart.id'));
  var doneCart = null, pageEpik = null, written = null, tagLoaded = false;

  function noop() {}
  function at(o, p) {
    p = p.split('.');
    for (var i = 0; i < p.length && o != null; i++) o = o[p[i]];
    return o;
  }
  // Over the schema's maxLength the server refuses the whole envelope: drop the value instead.
  function str(v, max) { return typeof v === 'string' && v.length > 0 && v.length <= max ? v : null; }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
  function dec(v) { try { return decodeURIComponent(v); } catch (e) { return v; } }
  // A sandbox call may be missing, throw or reject; none of it may reach the page.
  function call(o, m, args) {
    try {
      return Promise.resolve(o && typeof o[m] === 'function' ? o[m].apply(o, args) : 0).catch(noop);
    } catch (e) { return Promise.resolve(); }
  }
  function flags(p) {
    p = p || {};
    return { analytics: p.analyticsProcessingAllowed === true, marketing: p.marketingAllowed === true,
      preferences: p.preferencesProcessingAllowed === true, sale_of_data: p.saleOfDataAllowed === true };
  }
  function cartOf(id) {
    return typeof id === 'string' ? str(id.replace(/^gid:\/\/shopify\/Cart\//, '').split('?')[0], 256) : null;
  }
  // Mirrors EventIds.IdOf (tests/Fixtures/event-ids.json), so Tag and server share the checkout id.
  function idOf(v) {
    if (typeof v !== 'string' || !v.trim()) return null;
    v = (v.indexOf('gid://shopify/') === 0 ? v.slice(v.lastIndexOf('/') + 1) : v).split('?')[0];
    return /^[1-9][0-9]{0,18}$/.test(v) ? v : null;
  }
  function field(els, name) {
    for (var i = 0; i < els.length; i++) if (els[i] && els[i].name === name && str(els[i].value, 1e3)) return els[i];
  }
  // Mirrors LeadForms.Recognise (tests/Fixtures/lead-forms.json): a theme's newsletter or contact form, else
  // null. Kept of the form: its two hidden markers and the e-mail, never a password, message or phone.
  function leadForm(d) {
    var els = at(d, 'element.elements');
    if (!Array.isArray(els)) return null;
    var type = field(els, 'form_type'), tags = field(els, 'contact[tags]'), kind = type && type.value === 'contact' ? 'Contact'
      : type && type.value === 'customer' && tags && tags.value.split(',').some(function (t) { return t.trim().toLowerCase() === 'newsletter'; })
        ? 'Newsletter' : null;
    var email = field(els, 'contact[email]') || els.filter(function (f) {
      return f && String(f.type).toLowerCase() === 'email' && str(f.value, 1e3);
    })[0];
    return kind && { kind: kind, fields: [type, tags, email].filter(Boolean).map(function (f) {
      return { id: str(f.id, 256), name: f.name, tagName: str(f.tagName, 32), type: str(f.type, 32), value: f.value };
    }) };
  }
  function randomId(prefix) {
    var b = new Uint8Array(16), h = '', i;
    try { G.crypto.getRandomValues(b); } catch (e) { for (i = 0; i < 16; i++) b[i] = Math.random() * 256; }
    for (i = 0; i < 16; i++) h += (b[i] + 256).toString(16).slice(1);
    return prefix + '_' + h;
  }
  var ready = cartToken ? call(B.localStorage, 'setItem', [KEY, cartToken])
    : call(B.localStorage, 'getItem', [KEY]).then(function (v) { cartToken = cartToken || cartOf(v); });

  // Loaded once marketing is allowed; never over a pintrk the page already has.
  function pin() {
    if (!tagLoaded) {
      tagLoaded = true;
      if (typeof G.pintrk !== 'function') {
        var s = G.pintrk = function () { s.queue.push(Array.prototype.slice.call(arguments)); };
        s.queue = []; s.version = '3.0';
        try {
          var el = document.createElement('script');
          el.async = true; el.src = 'https://s.pinimg.com/ct/core.js';
          (document.head || document.documentElement).appendChild(el);
        } catch (e) { /* no document (strict sandbox) */ }
      }
      G.pintrk('load', config.tagId);
      G.pintrk('page');
    }
    if (arguments.length) G.pintrk.apply(G, arguments);
  }
  function put(o, k, v) { if (v != null && v !== '') o[k] = v; return o; }
  function item(v, qty) {
    var o = put(put({}, 'product_id', idOf(at(v, 'product.id'))), 'product_variant_id', idOf(at(v, 'id')));
    return put(put(o, 'product_price', num(at(v, 'price.amount'))), 'product_quantity', num(qty));
  }
  function tagCall(name, d, p, orderId, lead) {
    switch (name) {
      // Shopify fires page_viewed on a product page too: its pagevisit goes with product_viewed, once.
      case 'page_viewed': return null;
      case 'product_viewed':
        if (d.productVariant) p.line_items = [item(d.productVariant)];
        return ['pagevisit', p];
      case 'collection_viewed': return ['viewcategory', p];
      case 'form_submitted': return ['lead', put(p, 'lead_type', lead.kind)];
      case 'search_submitted': return ['search', put(p, 'search_query', at(d, 'searchResult.query'))];
      case 'product_added_to_cart':
        var l = d.cartLine || {};
        put(p, 'value', num(at(l, 'cost.totalAmount.amount')));
        put(p, 'currency', at(l, 'cost.totalAmount.currencyCode') || at(l, 'merchandise.price.currencyCode'));
        put(p, 'order_quantity', num(l.quantity));
        p.line_items = [item(l.merchandise, l.quantity)];
        return ['addtocart', p];
      case 'checkout_completed':
        if (!orderId) return null; // no order id to share: the server's checkout event stands alone
        var co = d.checkout || {}, n = 0;
        p.line_items = (Array.isArray(co.lineItems) ? co.lineItems.slice(0, 50) : []).map(function (x) {
          x = x || {}; n += num(x.quantity) || 0; return item(x.variant, x.quantity);
        });
        // The same basis as the server's checkout event (the shop's Events:CheckoutValue), or Pinterest sees two values.
        var price = config.checkoutValue === 'Total' ? 'totalPrice' : 'subtotalPrice';
        put(p, 'value', num(at(co, price + '.amount')));
        put(p, 'currency', co.currencyCode || at(co, price + '.currencyCode'));
        put(p, 'order_quantity', n || null);
        p.order_id = orderId;
        return ['checkout', p];
    }
  }
  function clickId(epik) {
    return call(B.cookie, 'get', ['_epik']).then(function (raw) {
      var stored = str(raw, 1e4) && str(dec(raw), 512);
      if (epik && epik !== stored && epik !== written) {
        written = epik;
        call(B.cookie, 'set', ['_epik=' + encodeURIComponent(epik) + '; Max-Age=31536000; Path=/; SameSite=Lax; Secure']);
      }
      return epik || stored;
    });
  }

  function handle(name, event) {
    var c = consent, d = event && event.data || {}, loc = at(event, 'context.document.location') || {};
    var lead = name === 'form_submitted' && leadForm(d);
    if (name === 'form_submitted') {
      if (!lead) return Promise.resolve(); // a login, search or cart form: nothing leaves the page
      event = { id: event.id, name: event.name, seq: event.seq, type: event.type, timestamp: event.timestamp, clientId: event.clientId,
        context: event.context, data: { element: { id: str(at(d, 'element.id'), 256), action: str(at(d, 'element.action'), 2048), elements: lead.fields } } };
    }
    var m = /\/checkouts\/cn\/([^\/?#]+)/.exec(loc.pathname || loc.href || '');
    var cart = name === 'cart_viewed' && cartOf(at(d, 'cart.id')) || m && cartOf(dec(m[1])) || null;
    // Remembered so later events (adds to cart carry no cart) still join the cart's session.
    if (cart && cart !== doneCart && cart !== cartToken) call(B.localStorage, 'setItem', [KEY, cartToken = cart]);
    // Parsed like the server's ClickIdFromLandingSite; held in memory (never stored) for consent given later.
    var e = /[?&]epik=([^&#]*)/.exec(loc.search || loc.href || '');
    var epik = pageEpik = e ? str(dec(e[1]), 512) : pageEpik;
    var checkout = str(at(d, 'checkout.token'), 256);
    var orderId = name === 'checkout_completed' ? idOf(at(d, 'checkout.order.id')) : null;
    var eventId = orderId || randomId(PREFIX[name]);
    var t = c.marketing && config.tagId && tagCall(name, d, { event_id: eventId }, orderId, lead);
    if (t) pin('track', t[0], t[1]);
    else if (c.marketing && config.tagId && name === 'page_viewed') pin();
    return ready.then(function () {
      var ct = cart || cartToken;
      if (name === 'checkout_completed' && ct) {
        // The order used up this cart; later adds belong to a new one.
        doneCart = ct; cartToken = null;
        call(B.localStorage, 'removeItem', [KEY]);
      }
      // Without marketing consent only what the server can join to an order is worth sending.
      if (!c.marketing && (!c.analytics || !ct && !checkout)) return;
      return (c.marketing ? clickId(epik) : Promise.resolve(null)).then(function (click) {
        return fetch(config.collectUrl, { method: 'POST', keepalive: true, headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify({ shop: config.shop, event_id: eventId, click_id: click || null, cart_token: ct,
            checkout_token: checkout, consent: c, event: event }) });
      });
    });
  }

  try {
    if (typeof customerPrivacy !== 'undefined') {
      call(customerPrivacy, 'subscribe', ['visitorConsentCollected', function (e) {
        try { if (e && e.customerPrivacy) consent = flags(e.customerPrivacy); } catch (x) { /* keep the last */ }
      }]);
    }
    if (typeof analytics !== 'undefined') {
      Object.keys(PREFIX).forEach(function (name) {
        call(analytics, 'subscribe', [name, function (event) {
          try { if (event) handle(name, event).catch(noop); } catch (x) { /* never into the page */ }
        }]);
      });
    }
  } catch (x) { /* nothing to subscribe to */ }
})();
