/**
 * The promotion's styles, inside its shadow root. px only (a page's root font size must not scale us). The host
 * rules are !important because, for important declarations, the shadow tree's win over the page's (a page's
 * `div { display: none !important }` or `* { all: unset }` cannot hide or restyle the host).
 */
export const CSS = `:host{all:initial!important;display:block!important}
:host([data-push=top]),:host([data-push=bottom]){position:sticky!important;top:0!important;z-index:2147483647!important}
:host([data-push=bottom]){top:auto!important;bottom:0!important}
*{box-sizing:border-box;font-family:var(--wf-ff);line-height:1.4;overflow-wrap:anywhere}
.w{position:fixed;z-index:2147483647;display:flex;font-size:16px;color:var(--wf-fg)}
.m,.f{inset:0;align-items:center;justify-content:center;padding:16px;overflow:auto}
.m{background:rgba(0,0,0,.55)}.f{background:var(--wf-bg)}
.i,.pu{position:relative;z-index:auto}
.b{left:0;right:0}.top{top:0}.bottom{bottom:0}
.s.top_left,.s.top_right{top:16px}.bottom_left,.bottom_right{bottom:16px}
.top_left,.bottom_left,.left{left:16px}.top_right,.bottom_right,.right{right:16px}
.t.left,.t.right{top:50%}.t.left{left:0}.t.right{right:0}
.s.bottom{left:0;right:0}
.p{position:relative;background:var(--wf-bg);border-radius:var(--wf-r);padding:var(--wf-sp);width:100%;max-width:var(--wf-w);max-height:calc(100vh - 32px);overflow:auto;box-shadow:0 8px 32px rgba(0,0,0,.3)}
.s .p{width:360px;max-width:calc(100vw - 32px)}.s.bottom .p{width:100%;max-width:none;border-radius:var(--wf-r) var(--wf-r) 0 0}
.f .p,.i .p,.b .p{box-shadow:none}.i .p{max-width:none}
.b .p{max-width:none;border-radius:0;padding:8px 48px 8px 16px}
.b form{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:8px 16px}
.b :is(p,h1,h2,h3,input,button,ul){margin:0;width:auto}
h1,h2,h3{margin:0 0 8px;font-weight:700;line-height:1.2}h1{font-size:28px}h2{font-size:22px}h3{font-size:18px}
p,ul{margin:0 0 12px}ul{padding-left:20px}a{color:inherit;text-decoration:underline}
img{display:block;max-width:100%;height:auto;margin:0 0 12px}
label{display:block;margin:0 0 4px;font-size:14px;font-weight:600}
input,select{display:block;width:100%;margin:0 0 8px;padding:10px;font-size:16px;border:1px solid #6b7280;border-radius:6px;background:#fff;color:#111}
[aria-invalid=true]{border:2px solid #b91c1c}.er{color:#b91c1c;background:#fff;font-size:14px;margin:-4px 0 8px;padding:0 2px}
.ck{display:flex;gap:8px;font-weight:400}.ck input{width:auto;margin:3px 0 0;flex:none}.ck p{margin:0}
button{display:block;width:100%;margin:8px 0;padding:12px;font-size:16px;font-weight:600;border:0;border-radius:6px;background:var(--wf-ac);color:var(--wf-at);cursor:pointer}
button.sec{background:none;color:inherit;font-weight:400;text-decoration:underline}
.x{position:absolute;top:4px;right:4px;width:auto;margin:0;padding:4px 10px;background:none;color:inherit;font-size:22px;line-height:1}
.t{align-items:center;gap:4px}.t button{position:static;width:auto;margin:0;box-shadow:0 4px 16px rgba(0,0,0,.3)}.t .x{background:var(--wf-bg);color:var(--wf-fg);font-size:16px;border-radius:50%}
:focus-visible{outline:3px solid var(--wf-fg);outline-offset:2px}button:focus-visible{box-shadow:0 0 0 2px var(--wf-bg)}
.cp{border:2px dashed currentColor;padding:10px;text-align:center;font:700 20px/1.3 ui-monospace,monospace;letter-spacing:2px}
.cd{text-align:center;font-size:28px;font-weight:700;font-variant-numeric:tabular-nums}
.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}.nt{margin:0;font-size:14px}
@media (prefers-reduced-motion:no-preference){.p,.t{animation:wf .25s ease-out}}@keyframes wf{from{opacity:0;transform:translateY(12px)}}
@media (max-width:640px){.s{left:8px;right:8px}.s .p{width:100%;max-width:none}}`;
