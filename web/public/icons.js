// The tab bar's icons: small inline SVG (no icon font, nothing from outside).
const PATHS = {
  room: "M10 13.5V4a2 2 0 1 1 4 0v9.5a4 4 0 1 1-4 0zM12 9v6",
  door: "M6 21V4h10v17M3 21h18M13 12h.01M16 6l3 1v14",
  servers: "M4 4h16v6H4zM4 14h16v6H4zM8 7h.01M8 17h.01",
  media: "M4 5h16v14H4zM4 15l5-5 4 4 2-2 5 5M15 9h.01",
  live: "M3 7h12v10H3zM15 10l6-3v10l-6-3",
  staff: "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20a6 6 0 0 1 12 0M16 5a3 3 0 0 1 0 6M18 14a5 5 0 0 1 3 6",
  settings: "M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M16 4v4M10 10v4M18 16v4",
};

export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", PATHS[name] ?? "");
  svg.append(path);
  return svg;
}
