export default function Intro() {
  return <p id="intro">intro</p>;
}
