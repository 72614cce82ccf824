// The promotions page: each button shows one kind through its manual workflow (see examples/workflows/showcase.json).
document.addEventListener('click', async (event) => {
  const button = event.target.closest('[data-show]');
  if (!button || !window.workflows || Array.isArray(window.workflows)) return;
  const id = button.getAttribute('data-show');
  await window.workflows.unenroll(id); // a second click shows it again
  await window.workflows.enroll(id);
});
