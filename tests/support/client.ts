// The kernel's end-to-end tests drive it through the project's own Jupyter client.
export * from "../../src/notebook/client.js";
