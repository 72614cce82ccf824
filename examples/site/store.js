// Harbor & Pine's shop script: the catalogue, a small cart kept in localStorage, and the GA4 e-commerce pushes
// to window.dataLayer that the Workflows runtime (and any tag manager) reads. Plain JS, no build step; loaded
// with `defer` on every page. The runtime is a separate script: nothing here depends on it having loaded.
(function () {
  'use strict';
  var CART = 'hp-cart';
  var ORDER = 'hp-last-order';
  var CATALOG = {
    'ridgeline-rain-jacket': {
      name: 'Ridgeline Rain Jacket', price: 129, tone: '#3f6f8f', colours: ['Lake Blue', 'Forest', 'Charcoal'],
      blurb: 'Waterproof, breathable, packs into its pocket',
      text: 'Three-layer waterproof shell with pit zips and a helmet-compatible hood. Packs into its own chest pocket.',
      facts: ['20,000 mm waterproof rating, fully taped seams', 'Weighs 310 g in size M'],
    },
    'trailhead-fleece': {
      name: 'Trailhead Fleece', price: 79, tone: '#8f6a3f', colours: ['Tobacco', 'Oat', 'Pine'],
      blurb: 'Recycled grid fleece for cool mornings',
      text: 'A grid-back fleece made from recycled bottles: warm when you stop, breathable when you climb.',
      facts: ['100% recycled polyester', 'Half zip with a chin guard'],
    },
    'summit-down-vest': {
      name: 'Summit Down Vest', price: 110, tone: '#6f3f4f', colours: ['Plum', 'Black'],
      blurb: '650-fill down, water-repellent shell',
      text: 'Responsibly sourced 650-fill down under a water-repellent ripstop shell. Layers under any of our jackets.',
      facts: ['RDS-certified down', 'Packs into its hand pocket'],
    },
    'coastline-windbreaker': {
      name: 'Coastline Windbreaker', price: 89, tone: '#4f7f62', colours: ['Sea Green', 'Sand'],
      blurb: 'Featherweight, with a stowable hood',
      text: 'A 95 g wind shell for ridge walks and bike commutes, with a hood that rolls into the collar.',
      facts: ['Durable water-repellent finish', 'Reflective trim front and back'],
    },
    'basecamp-flannel': {
      name: 'Basecamp Flannel', price: 64, tone: '#9a4a3a', colours: ['Rust Check', 'Navy Check'],
      blurb: 'Brushed organic cotton, relaxed fit',
      text: 'Heavy brushed flannel in organic cotton, cut roomy enough to wear over a base layer at camp.',
      facts: ['Organic cotton, 200 g/m²', 'Two button-down chest pockets'],
    },
    'alpine-merino-layer': {
      name: 'Alpine Merino Layer', price: 85, tone: '#55586f', colours: ['Charcoal', 'Heather Grey'],
      blurb: '200 g merino, odour-resistant',
      text: 'A 200 g merino crew that stays warm when damp and fresh after three days on the trail.',
      facts: ['18.5 micron merino wool', 'Flatlock seams, no itch'],
    },
  };
  var FREE_OVER = 100;
  var SHIPPING = 8;
  var money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  var dl = (window.dataLayer = window.dataLayer || []);
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; });
  };

  // Storage can throw (privacy modes, full quota): the shop then simply keeps no cart.
  function read(store, key) {
    try { return JSON.parse(store.getItem(key) || 'null'); } catch (e) { return null; }
  }
  function write(store, key, value) {
    try { value == null ? store.removeItem(key) : store.setItem(key, JSON.stringify(value)); } catch (e) { /* no storage */ }
  }
  // A cart line: { id, colour, size, qty }. Unknown ids (a product that left the catalogue) are dropped.
  function cart() {
    var lines = read(localStorage, CART);
    return Array.isArray(lines) ? lines.filter(function (l) { return CATALOG[l.id] && l.qty > 0; }) : [];
  }
  function save(lines) {
    write(localStorage, CART, lines.length ? lines : null);
    count();
  }
  function subtotal(lines) {
    return lines.reduce(function (sum, l) { return sum + CATALOG[l.id].price * l.qty; }, 0);
  }
  function item(l) {
    var p = CATALOG[l.id];
    return { item_id: l.id, item_name: p.name, item_variant: [l.colour, l.size].filter(Boolean).join(' / '), price: p.price, quantity: l.qty };
  }
  // The GA4 shape; the null push first is Google's advice so one event's items never leak into the next.
  function push(event, lines, extra) {
    var ecommerce = { currency: 'USD', value: subtotal(lines), items: lines.map(item) };
    for (var k in extra) ecommerce[k] = extra[k];
    dl.push({ ecommerce: null });
    dl.push({ event: event, ecommerce: ecommerce });
  }
  function count() {
    var n = cart().reduce(function (sum, l) { return sum + l.qty; }, 0);
    document.querySelectorAll('[data-cart-count]').forEach(function (el) { el.textContent = n; });
  }
  function add(id, colour, size, qty) {
    var lines = cart();
    var line = lines.find(function (l) { return l.id === id && l.colour === colour && l.size === size; });
    if (line) line.qty += qty;
    else lines.push({ id: id, colour: colour, size: size, qty: qty });
    save(lines);
    push('add_to_cart', [{ id: id, colour: colour, size: size, qty: qty }]);
  }
  function photo(id, cls, label) {
    return '<div class="photo' + (cls ? ' ' + cls : '') + '" style="--tone: ' + CATALOG[id].tone + '" role="img" aria-label="' + esc(label || CATALOG[id].name) + '"></div>';
  }

  // ---- product page: /product.html?id=<product>, the rain jacket by default
  function product() {
    var root = $('[data-product-id]');
    var id = new URLSearchParams(location.search).get('id');
    if (!CATALOG[id]) id = root.getAttribute('data-product-id');
    var p = CATALOG[id];
    if (id !== root.getAttribute('data-product-id')) {
      document.title = p.name + ' · Harbor & Pine';
      root.setAttribute('data-product-id', id);
      $('[data-crumb]').textContent = p.name;
      root.querySelector('.photo').outerHTML = photo(id, '', p.name + ' in ' + p.colours[0]);
      $('h1', root).textContent = p.name;
      $('.price', root).textContent = money.format(p.price);
      $('[data-text]', root).textContent = p.text;
      $('[name=colour]', root).innerHTML = p.colours.map(function (c) { return '<option>' + esc(c) + '</option>'; }).join('');
      $('[data-facts]', root).innerHTML = p.facts.concat('Free shipping over $100, 60-day returns')
        .map(function (f) { return '<li>' + esc(f) + '</li>'; }).join('');
    }
    push('view_item', [{ id: id, qty: 1 }]);
    var form = $('form', root);
    var status = $('[data-status]', root);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var qty = Math.max(1, Math.min(10, parseInt(form.qty.value, 10) || 1));
      add(id, form.colour.value, form.size.value, qty);
      status.innerHTML = 'Added ' + qty + ' × ' + esc(p.name) + ' to your cart. <a href="/cart.html">View cart</a>';
    });
  }

  // ---- cart page
  function cartPage() {
    var list = $('[data-cart-lines]');
    var lines = cart();
    function render() {
      var sub = subtotal(lines);
      var ship = !lines.length || sub >= FREE_OVER ? 0 : SHIPPING;
      $('[data-cart-empty]').hidden = lines.length > 0;
      $('[data-cart-full]').hidden = !lines.length;
      list.innerHTML = lines.map(function (l, i) {
        var p = CATALOG[l.id];
        return '<li>' + photo(l.id, 'small') +
          '<div><a href="/product.html?id=' + l.id + '"><strong>' + esc(p.name) + '</strong></a><br><span class="muted">' +
          esc([l.colour, l.size].filter(Boolean).join(' · ')) + ' · ' + money.format(p.price) + ' each</span>' +
          '<div class="qty"><label>Quantity <input type="number" min="1" max="10" value="' + l.qty + '" data-qty="' + i + '"></label>' +
          '<button class="link" type="button" data-remove="' + i + '">Remove<span class="visually-hidden"> ' + esc(p.name) + '</span></button></div></div>' +
          '<span class="price">' + money.format(p.price * l.qty) + '</span></li>';
      }).join('');
      $('[data-subtotal]').textContent = money.format(sub);
      $('[data-shipping]').textContent = ship ? money.format(ship) : 'Free';
      $('[data-total]').textContent = money.format(sub + ship);
      $('[data-to-free]').textContent = sub >= FREE_OVER
        ? 'Your order ships free.'
        : 'Add ' + money.format(FREE_OVER - sub) + ' more for free shipping.';
    }
    function change(i, qty) {
      var l = lines[i];
      var diff = qty - l.qty;
      if (!diff) return;
      push(diff > 0 ? 'add_to_cart' : 'remove_from_cart', [{ id: l.id, colour: l.colour, size: l.size, qty: Math.abs(diff) }]);
      l.qty = qty;
      lines = lines.filter(function (x) { return x.qty > 0; });
      save(lines);
      render();
    }
    list.addEventListener('change', function (e) {
      var i = e.target.getAttribute('data-qty');
      if (i != null) change(+i, Math.max(1, Math.min(10, parseInt(e.target.value, 10) || 1)));
    });
    list.addEventListener('click', function (e) {
      var b = e.target.closest('[data-remove]');
      if (!b) return;
      change(+b.getAttribute('data-remove'), 0);
      // The button is gone: keep keyboard users in the cart rather than at the top of the page.
      $('h1').focus();
    });
    render();
    // The whole cart: the runtime takes it as the visitor's cart, resyncing after changes made in other tabs.
    push('view_cart', lines);
  }

  // ---- checkout: a demo form, nothing is charged
  function checkout() {
    var lines = cart();
    if (!lines.length) return location.replace('/cart.html');
    var sub = subtotal(lines);
    $('[data-summary]').innerHTML = lines.map(function (l) {
      return '<li><span>' + l.qty + ' × ' + esc(CATALOG[l.id].name) + '</span><span>' + money.format(CATALOG[l.id].price * l.qty) + '</span></li>';
    }).join('');
    $('[data-total]').textContent = money.format(sub + (sub >= FREE_OVER ? 0 : SHIPPING));
    push('begin_checkout', lines);
    $('form.checkout').addEventListener('submit', function (e) {
      e.preventDefault();
      location.assign('/thank-you.html');
    });
  }

  // ---- thank-you: the purchase is pushed once per order; a reload shows the order again without a new push
  function thanks() {
    var lines = cart();
    var order = read(sessionStorage, ORDER);
    if (lines.length) {
      var sub = subtotal(lines);
      var ship = sub >= FREE_OVER ? 0 : SHIPPING;
      order = { id: 'HP-' + Date.now().toString(36).toUpperCase().slice(-6) + Math.random().toString(36).slice(2, 5).toUpperCase(), lines: lines, total: sub + ship };
      write(sessionStorage, ORDER, order);
      push('purchase', lines, { transaction_id: order.id, shipping: ship, tax: 0 });
      save([]);
    }
    $('[data-order]').hidden = !order;
    $('[data-no-order]').hidden = !!order;
    if (!order) return;
    $('[data-order-id]').textContent = order.id;
    $('[data-summary]').innerHTML = order.lines.filter(function (l) { return CATALOG[l.id]; }).map(function (l) {
      return '<li><span>' + l.qty + ' × ' + esc(CATALOG[l.id].name) + '</span><span>' + money.format(CATALOG[l.id].price * l.qty) + '</span></li>';
    }).join('');
    $('[data-total]').textContent = money.format(order.total);
  }

  // ---- buttons anywhere (the journal's "shop the story"): data-add="<product id>"
  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-add]');
    if (!b) return;
    var id = b.getAttribute('data-add');
    add(id, CATALOG[id].colours[0], 'M', 1);
    var s = b.parentNode.querySelector('[data-status]');
    if (s) s.innerHTML = 'Added ' + esc(CATALOG[id].name) + ' to your cart. <a href="/cart.html">View cart</a>';
  });

  // Another tab changed the cart: keep this tab's header count true.
  window.addEventListener('storage', function (e) { if (e.key === CART) count(); });

  window.harborPine = { catalog: CATALOG, cart: cart, money: money, photo: photo, esc: esc };
  count();
  var page = document.body.getAttribute('data-page');
  if (page === 'product') product();
  else if (page === 'cart') cartPage();
  else if (page === 'checkout') checkout();
  else if (page === 'thank-you') thanks();
})();
