//! Vocabulary that several areas share, below every one of them: the time in the Netherlands,
//! the form choices and life domains, and how dates and times are written.

pub mod choices;
pub mod clock;
pub mod format;
