//! Runs the app's tasks to their end on the test's thread, as the iced runtime would, feeding
//! each message they produce back into `update`: commits, PIN checks, recalls and payments all
//! complete before the next tap. Shared by the kiosk and checkout tests and the scanning bench.

use iced::futures::StreamExt;
use iced_runtime::Action;
use std::collections::VecDeque;
use warm_kiosk::ui::{App, Message};

pub fn settle(app: &mut App, message: Message) {
    let mut queue = VecDeque::from([message]);
    while let Some(message) = queue.pop_front() {
        let task = app.update(message);
        let Some(stream) = iced_runtime::task::into_stream(task) else { continue };
        let outputs: Vec<Message> = futures_executor::block_on(
            stream
                .filter_map(|action| async move {
                    match action {
                        Action::Output(message) => Some(message),
                        _ => None,
                    }
                })
                .collect(),
        );
        queue.extend(outputs);
    }
}
