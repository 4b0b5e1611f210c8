//! Faults: clients that go away in the middle of a request, servers that crash, bodies that
//! are too large. docs/operations.md says what Schakel guarantees and names these tests.

mod abandoned;
mod crash;
mod limits;
