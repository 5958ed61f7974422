pub(crate) mod coordinates;
pub(crate) mod country;
pub(crate) mod localize;

pub use crate::localization::coordinates::Coordinates;
pub use crate::localization::country::Country;
pub use crate::localization::localize::{Localize, NoLocation, TzLocation};
