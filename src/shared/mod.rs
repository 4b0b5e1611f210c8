//! Vocabulary that several areas share, below every one of them: the time in the Netherlands,
//! the form choices and life domains, how dates and times are written, and amounts of money.

pub mod choices;
pub mod clock;
pub mod files;
pub mod format;
pub mod money;
