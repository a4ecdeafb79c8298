export default function Pricing() {
  return <p id="pricing">pricing</p>;
}
