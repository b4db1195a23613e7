//! The container fabrics of the two seeds, built in namespaces with real
//! FRR and neighd: [`seed004`] (spines, leaves, servers with macvlan
//! containers) and [`seed000`] (a router and nodes with bridged
//! containers), the [`container`] both use, and the consistency [`check`]
//! every test runs.

pub mod check;
pub mod container;
pub mod seed000;
pub mod seed004;
