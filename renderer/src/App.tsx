export function App() {
  return (
    <main>
      <h1>Veil</h1>
      <p>Local: nothing leaves this device.</p>
    </main>
  );
}
