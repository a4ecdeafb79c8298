/** Overview. Until the dashboard lands, the system status page. */
export { default, handler } from "./status.tsx";
