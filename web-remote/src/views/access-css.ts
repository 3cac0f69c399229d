/** The Access view's stylesheet (injected once by access.ts). */
export const ACCESS_CSS = `
.acc{max-width:1100px;margin:0 auto;padding:12px max(12px,env(safe-area-inset-right)) 90px max(12px,env(safe-area-inset-left));display:grid;gap:12px}
.acc-card{background:var(--panel);border:1px solid #20252c;border-radius:12px;padding:14px 16px}
.acc-head{display:flex;align-items:center;gap:16px;flex-wrap:wrap}.acc-title{flex:1;min-width:220px}
.acc-kicker{font-size:11px;font-weight:800;letter-spacing:.1em;text-transform:uppercase;color:var(--faint)}.acc-title h1{margin:2px 0 4px;font-size:26px}
.acc-presence{display:flex;align-items:center;gap:8px;color:var(--dim);font-weight:650;font-variant-numeric:tabular-nums}
.acc-presence::before{content:'';width:9px;height:9px;border-radius:50%;background:var(--green);box-shadow:0 0 8px var(--green)}.acc-presence.unknown::before{background:var(--faint);box-shadow:none}
.acc .btn{min-height:48px;padding:0 16px;font-size:14px;letter-spacing:0;border-radius:9px;font-weight:750}.acc .btn.primary{min-height:52px;padding:0 22px;font-size:15px}
.acc .btn.danger{background:#3a1517;border-color:#7a2a2f;color:#ffb3b7}.acc .btn.danger.armed{background:var(--mute);border-color:#ff7b7f;color:#fff;box-shadow:0 0 10px rgba(229,72,77,.55)}
.acc-form{display:grid;gap:14px}.acc-form h2,.acc-list h2{margin:0;font-size:12px;font-weight:800;letter-spacing:.1em;text-transform:uppercase;color:var(--faint)}
.acc-field{display:grid;gap:6px}.acc-label{font-size:12px;font-weight:800;letter-spacing:.08em;text-transform:uppercase;color:var(--faint)}
.acc-field input{min-height:52px;padding:0 14px;font:17px system-ui,sans-serif;color:var(--text);background:#0b0d10;border:1px solid var(--line);border-radius:9px;-webkit-user-select:text;user-select:text;max-width:520px}
.acc-field input:focus{outline:2px solid var(--blue);outline-offset:0}.acc-field.bad input{border-color:var(--red)}
.acc-seg{display:inline-flex;gap:3px;padding:3px;background:#0b0d10;border-radius:11px;width:max-content;max-width:100%}
.acc-seg button{min-height:48px;padding:0 18px;border-radius:8px;border:1px solid transparent;background:transparent;color:var(--dim);font-weight:750;cursor:pointer}
.acc-seg button.on{background:var(--panel-3);border-color:#3a424e;color:var(--text)}.acc-seg button small{display:block;font-size:11px;font-weight:600;color:var(--faint)}
.acc-buses{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:6px}
.acc-bus{min-height:52px;padding:4px 12px;border-radius:9px;border:1px solid var(--line);border-left:5px solid var(--c);background:var(--panel-2);color:var(--text);text-align:left;cursor:pointer;display:flex;flex-direction:column;justify-content:center}
.acc-bus small{font-size:11px;font-weight:800;color:var(--faint);letter-spacing:.06em}.acc-bus b{font-weight:750;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.acc-bus.on{background:var(--c);border-color:var(--c);color:#0b0d10}.acc-bus.on small{color:#0b0d10}
.acc-hint{min-height:18px;font-size:13px;color:var(--dim)}.acc-hint.bad{color:#ff8f96;font-weight:650}.acc-actions{display:flex;gap:10px;flex-wrap:wrap}
.acc-list{display:grid;gap:8px}.acc-rows{display:grid;gap:6px}.acc-none{padding:22px 4px;color:var(--dim);font-size:15px}
.acc-row{position:relative;display:grid;grid-template-columns:minmax(0,1.3fr) minmax(0,1.2fr) 130px 336px;align-items:center;gap:12px;padding:8px 10px 8px 18px;background:var(--panel-2);border-radius:10px;border:1px solid #262b33}
.acc-row .row-color{background:var(--c,#59616d)}.acc-name{font-size:17px;font-weight:750;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.acc-role{color:var(--dim);font-weight:650;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}.acc-row[data-role=performer] .acc-role{color:var(--c)}
.acc-created{color:var(--faint);font-size:13px;font-variant-numeric:tabular-nums;white-space:nowrap}.acc-rowbtns{display:flex;gap:6px;justify-content:flex-end}
.acc-qr-back{position:fixed;inset:0;z-index:25;display:flex;align-items:center;justify-content:center;padding:16px;background:rgba(8,9,11,.84)}
.acc-qr{display:grid;justify-items:center;gap:12px;max-width:min(560px,100%);max-height:100%;overflow:auto;background:var(--panel);border:1px solid var(--line);border-radius:14px;padding:18px 18px 16px}
.acc-qr h2{margin:0;font-size:22px;text-align:center}.acc-qr .acc-role{text-align:center;white-space:normal}
.acc-code{background:#fff;padding:8px;border-radius:10px;line-height:0}.acc-code svg{display:block;max-width:calc(100vw - 84px);height:auto}
.acc-url{max-width:100%;font:13px ui-monospace,SFMono-Regular,Menlo,monospace;color:var(--text);background:#0b0d10;border:1px solid var(--line);border-radius:8px;padding:8px 10px;word-break:break-all;-webkit-user-select:all;user-select:all;cursor:text}
.acc-qr-note{font-size:13px;color:var(--dim);text-align:center;max-width:440px}
.acc-toast{position:fixed;left:50%;bottom:calc(18px + env(safe-area-inset-bottom));transform:translateX(-50%);z-index:30;max-width:calc(100vw - 24px);display:flex;gap:10px;align-items:center;padding:11px 16px;border-radius:10px;font-weight:600;box-shadow:0 8px 24px rgba(0,0,0,.6);background:#2a1416;border:1px solid #6b2a2e;color:#ffd9db;cursor:pointer}
.acc-toast.ok{background:#12281c;border-color:#2b6a45;color:#c9f5da}.acc-toast code{font:700 11px ui-monospace,SFMono-Regular,Menlo,monospace;color:#ff8f96}
@media (max-width:760px){.acc-row{grid-template-columns:minmax(0,1fr) auto;row-gap:4px}.acc-name{grid-column:1}.acc-created{grid-column:2;grid-row:1}.acc-role{grid-column:1/-1}.acc-rowbtns{grid-column:1/-1}.acc-rowbtns .btn{flex:1}}
`;
