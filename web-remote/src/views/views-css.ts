/** The detail views' stylesheet, injected once per document by `injectViewStyles` (knob.ts). */
export const VIEWS_CSS = `
.mx-view{--bg:#101419;--card:#171c22;--line:#252d37;--text:#dfe6ee;--muted:#7d8997;--accent:#2f7de1;color:var(--text);background:var(--bg);font:14px/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;padding:10px;box-sizing:border-box;min-height:100%;-webkit-user-select:none;user-select:none;-webkit-tap-highlight-color:transparent}
.mx-view *{box-sizing:border-box}.mx-view button,.mx-view select{font:inherit;color:inherit}.mx-empty{color:var(--muted);padding:24px}
.mx-strip-head{display:flex;align-items:center;gap:10px;flex-wrap:wrap;margin-bottom:10px;padding:6px 8px;background:var(--card);border:1px solid var(--line);border-radius:10px;position:relative}
.mx-stale-note{position:absolute;left:12px;top:-10px;z-index:3;font-size:11px;font-weight:700;letter-spacing:.02em;background:#5c430f;color:#ffd68a;border:1px solid #8a6416;padding:1px 8px;border-radius:5px;white-space:nowrap}
.mx-stale .mx-strip-head>:not(.mx-stale-note),.mx-stale>:not(.mx-strip-head){opacity:.45;filter:saturate(.3);transition:opacity .2s,filter .2s}
.mx-stale .mx-strip-head{border-color:#5c430f;padding-top:16px}
.mx-readonly .mx-strip-head::after{content:"READ ONLY";position:absolute;right:10px;top:-9px;font-size:10px;letter-spacing:.1em;background:#3a4450;color:#dfe6ee;padding:1px 6px;border-radius:4px}
.mx-swatch{width:8px;align-self:stretch;min-height:40px;border-radius:4px}.mx-title{display:flex;flex-direction:column;min-width:110px}
.mx-title-num{font-size:11px;letter-spacing:.12em;color:var(--muted)}.mx-title-name{font-size:20px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:220px}
.mx-nav{display:flex;gap:6px}.mx-navbtn{min-width:44px;min-height:44px;padding:0 12px;border-radius:8px;border:1px solid var(--line);background:#1f262e}
.mx-navbtn.on{background:var(--accent);border-color:var(--accent)}.mx-navbtn:disabled{opacity:.35}.mx-head-ctl{display:flex;align-items:center;gap:8px;flex:1 1 360px;min-width:300px}
.mx-head-ctl .mx-fader{flex:1}.mx-level{width:200px;height:28px;flex:0 1 200px;border-radius:3px}.mx-grid{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));gap:10px}
.mx-card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:8px 10px 10px;min-width:0}
.mx-card-head{display:flex;align-items:center;gap:8px;min-height:44px;margin-bottom:4px}
.mx-card-head h3{flex:1;margin:0;font-size:12px;font-weight:600;letter-spacing:.12em;text-transform:uppercase;color:var(--muted)}.mx-card-body{display:flex;flex-direction:column;gap:8px}
.mx-channel .mx-input{grid-column:span 4}.mx-input .mx-card-body{flex-direction:row;flex-wrap:wrap;column-gap:18px}.mx-channel .mx-eqcard{grid-column:span 8}
.mx-channel .mx-dyn{grid-column:span 6}.mx-channel .mx-sends{grid-column:span 7}.mx-channel .mx-routing{grid-column:span 5}.mx-master .mx-loudcard{margin-bottom:10px}
.mx-loudcard .mx-card-head{min-height:0;margin-bottom:6px}.mx-master .mx-eqcard{grid-column:span 6}.mx-master .mx-mbc{grid-column:span 12}
.mx-side{grid-column:span 6;display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:10px;align-content:start}
@media (max-width:900px){.mx-grid>*{grid-column:span 12!important}.mx-side{grid-template-columns:repeat(2,minmax(0,1fr))}}
@media (max-width:560px){.mx-side{grid-template-columns:minmax(0,1fr)}.mx-lr-row{grid-template-columns:repeat(2,minmax(0,1fr))}.mx-lr-big .mx-lr-value{font-size:30px}.mx-mbc-bands{grid-template-columns:minmax(0,1fr)}.mx-level{flex-basis:100%;width:100%}}
.mx-row{display:flex;align-items:center;gap:6px}.mx-wrap{flex-wrap:wrap}.mx-field{display:flex;flex-direction:column;gap:4px;align-items:flex-start}
.mx-field-label{font-size:10px;letter-spacing:.1em;text-transform:uppercase;color:var(--muted)}.mx-note{font-size:12px;color:var(--muted)}
.mx-knob{position:relative;width:66px;display:flex;flex-direction:column;align-items:center;padding:2px 0;border-radius:8px;touch-action:none;cursor:ns-resize;outline:none}
.mx-knob:focus-visible{box-shadow:0 0 0 2px var(--accent)}.mx-knob svg{width:48px;height:48px;display:block}.mx-knob-track{fill:none;stroke:#2a323c;stroke-width:4;stroke-linecap:round}
.mx-knob-value{fill:none;stroke:#5eb0ff;stroke-width:4;stroke-linecap:round}.mx-knob-cap{fill:#232b35;stroke:#36404c;stroke-width:1}
.mx-knob-tick{stroke:#e8edf2;stroke-width:2.5;stroke-linecap:round}.mx-knob-text{font-size:11.5px;font-variant-numeric:tabular-nums;white-space:nowrap;margin-top:-2px}
.mx-knob-label{font-size:10px;color:var(--muted);text-transform:uppercase;letter-spacing:.03em;white-space:nowrap;max-width:66px;overflow:hidden;text-overflow:ellipsis}
.mx-knob.mx-active{background:#1f2731}.mx-fader{position:relative;display:grid;grid-template-columns:minmax(48px,auto) minmax(80px,1fr) 62px;align-items:center;gap:8px;--p:0;outline:none}
.mx-fader:focus-visible{box-shadow:0 0 0 2px var(--accent);border-radius:6px}
.mx-fader-label{font-size:12px;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:110px}
.mx-fader-text{font-size:12px;font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}.mx-fader-track{position:relative;height:44px;touch-action:none;cursor:ew-resize}
.mx-fader-track::before{content:"";position:absolute;left:0;right:0;top:19px;height:6px;border-radius:3px;background:#0b0e12;border:1px solid #2a323c}
.mx-fader-fill{position:absolute;left:0;top:19px;height:6px;border-radius:3px;background:#2f6fb8;width:calc(var(--p)*100%)}
.mx-fader-unity{position:absolute;top:12px;width:1px;height:20px;background:#56606b}
.mx-fader-thumb{position:absolute;top:6px;width:20px;height:32px;border-radius:4px;background:linear-gradient(#e8edf2,#aab4bf);left:calc(var(--p)*(100% - 20px));box-shadow:0 1px 3px rgba(0,0,0,.6)}
.mx-fader-thumb::after{content:"";position:absolute;left:3px;right:3px;top:15px;height:2px;background:#20262d}
.mx-toggle{position:relative;min-height:44px;min-width:52px;padding:0 12px;border-radius:8px;border:1px solid var(--line);background:#1f262e;white-space:nowrap}
.mx-toggle.on{background:var(--accent);border-color:#5a9cf0;color:#fff}.mx-toggle.mx-mute.on{background:#c0392b;border-color:#e0584a}
.mx-toggle.mx-solo.on{background:#d4a514;border-color:#f0c53a;color:#1a1a1a}.mx-toggle.mx-small{min-width:44px;padding:0 8px;font-size:12px}
.mx-seg{display:inline-flex;border:1px solid var(--line);border-radius:8px;overflow:hidden;position:relative}
.mx-seg button{min-height:40px;min-width:44px;padding:0 10px;border:0;background:#1f262e;border-right:1px solid var(--line)}.mx-seg button:last-child{border-right:0}
.mx-seg button.on{background:#3a4656;color:#fff;box-shadow:inset 0 -3px 0 var(--accent)}
.mx-select{min-width:0;flex:1;min-height:40px;padding:0 8px;border-radius:8px;border:1px solid var(--line);background:#1f262e}.mx-ro{cursor:default}.mx-ro .mx-fader-track{cursor:default}
.mx-held{outline:2px dashed #ff4d4d;outline-offset:2px}
.mx-held::after{content:attr(data-holder);position:absolute;left:50%;top:-8px;transform:translateX(-50%);font-size:10px;white-space:nowrap;background:#ff4d4d;color:#fff;padding:0 5px;border-radius:4px;pointer-events:none;z-index:2}
.mx-eq{position:relative}.mx-eq-canvas{display:block;width:100%;height:300px;border-radius:6px;touch-action:none}.mx-eqfoot{display:flex;flex-direction:column;gap:6px}
.mx-bands{display:grid;grid-template-columns:repeat(auto-fit,minmax(124px,1fr));gap:6px}
.mx-chip{display:flex;min-width:0;align-items:center;gap:4px;padding:2px;border-radius:9px;border:1px solid var(--line);border-left:4px solid var(--band)}
.mx-chip.on{background:#222a34;border-color:var(--band)}.mx-chip-num{min-width:36px;min-height:40px;border:0;border-radius:7px;background:transparent;font-weight:700;color:var(--band)}
.mx-dyn-body{display:flex;gap:8px;align-items:stretch}.mx-dyn-body>.mx-row{flex:1;align-content:flex-start}.mx-gr{width:34px;min-height:150px;flex:0 0 34px;border-radius:4px}
.mx-compcurve{width:150px;height:150px;flex:0 0 150px;border-radius:6px}.mx-sendlist{display:flex;flex-direction:column;gap:2px}
.mx-send{display:grid;grid-template-columns:1fr auto;gap:8px;align-items:center}.mx-send .mx-fader{grid-template-columns:110px minmax(80px,1fr) 62px}
.mx-mbc-bands{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px}.mx-mbc-band{border:1px solid var(--line);border-radius:8px;padding:6px}
.mx-mbc-band .mx-dyn-body>.mx-row{justify-content:center}.mx-mbc-band .mx-knob{width:58px}.mx-mbc-top{display:flex;align-items:center;justify-content:space-between;margin-bottom:4px}
.mx-mbc-name{font-weight:600}.mx-meterfield{display:flex;flex-direction:column;gap:4px}.mx-hmeter{width:100%;height:26px;border-radius:4px}
.mx-loudness{display:flex;flex-direction:column;gap:8px}.mx-loud-top{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-start}
.mx-lr-row{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:6px;flex:1 1 520px}
.mx-lr{display:grid;grid-template-columns:auto 1fr;grid-template-rows:auto auto auto;column-gap:4px;min-width:0;padding:6px 10px;border-radius:8px;background:#11161b;border:1px solid var(--line)}
.mx-lr-label{grid-column:1/3;font-size:10px;letter-spacing:.1em;text-transform:uppercase;color:var(--muted)}
.mx-lr-value{font-size:26px;font-weight:600;font-variant-numeric:tabular-nums;line-height:1.1}.mx-lr-unit{align-self:end;font-size:11px;color:var(--muted);padding-bottom:3px}
.mx-lr-sub{grid-column:1/3;font-size:11px;color:var(--muted);min-height:14px;font-variant-numeric:tabular-nums;white-space:nowrap}.mx-lr-big .mx-lr-value{font-size:38px}
.mx-lr.mx-in{border-color:#2f8f5b}.mx-lr.mx-in .mx-lr-value{color:#4fd18b}.mx-lr.mx-near{border-color:#8f7a2f}.mx-lr.mx-near .mx-lr-value{color:#f5c542}.mx-lr.mx-out{border-color:#9a3a30}
.mx-lr.mx-out .mx-lr-value{color:#ff6b57}.mx-targets{display:grid;grid-template-columns:auto minmax(0,1fr);gap:6px 10px;align-items:start;flex:1 1 330px;max-width:480px}
.mx-picks{display:grid;grid-template-columns:repeat(auto-fill,minmax(96px,1fr));gap:6px}.mx-target-text{grid-column:1/3;font-size:13px;font-variant-numeric:tabular-nums}
.mx-pick{min-height:44px;padding:2px 10px;border-radius:8px;border:1px solid var(--line);background:#1f262e;display:flex;flex-direction:column;align-items:flex-start;justify-content:center;line-height:1.15}
.mx-pick b{font-weight:600;font-size:12px}.mx-pick small{font-size:10.5px;color:var(--muted)}.mx-pick.on{border-color:#4fd18b;background:#1c3326}.mx-pick:disabled{opacity:.5}
.mx-reset{align-items:center;font-size:12px}.mx-lgraph{display:block;width:100%;height:190px;border-radius:6px}.mx-legend{display:flex;gap:14px;font-size:11px;color:var(--muted)}
.mx-legend span::before{content:"";display:inline-block;width:14px;height:3px;margin-right:5px;vertical-align:middle}.mx-legend .m::before{background:rgba(120,170,230,.5)}
.mx-legend .s::before{background:#8cc8ff}.mx-legend .i::before{background:#ffd166}.mx-legend .t::before{background:rgba(79,209,139,.5);height:8px}
`;
