// Keyboard shortcuts on the screening page: i include, m maybe, 1-9 exclude with that reason,
// u undo, n skip. Keys typed into the note field are left alone.
document.addEventListener("keydown", (event) => {
  // Enter in the note would submit the form's first button (include): it must not decide.
  if (event.key === "Enter" && event.target && event.target.id === "note") { event.preventDefault(); return; }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
  const click = (selector) => {
    const element = document.querySelector(selector);
    if (element) { event.preventDefault(); element.click(); }
  };
  if (event.key === "i") click("#include");
  else if (event.key === "m") click("#maybe");
  else if (event.key === "u") click("#undo");
  else if (event.key === "n") click("#next");
  else if (/^[1-9]$/.test(event.key)) click(`button.exclude[data-key="${event.key}"]`);
});
