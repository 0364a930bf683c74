// hpsocket::ThreadPool: 10,000 tasks through a bounded queue with TRP_WAIT_FOR (each runs
// exactly once), closures refused by TRP_CALL_FAIL destroyed at once, a Stop whose wait runs
// out with tasks queued (the dropped closures destroyed once the running task ends), a Stop
// that drains the queue, AdjustThreadCount up and down while busy, CallerRun, the listener
// events, exceptions from tasks, refusals (not started, empty function, Stop from a task),
// moving the owner, and socket tasks.
#include "test_util.hpp"

#include <errno.h>
#include <pthread.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

using namespace hptest;
using hpsocket::RejectedPolicy;
using hpsocket::ThreadPool;

namespace {

// Counts live instances: constructed (also by copy or move) minus destroyed, and destroyed.
struct Counted {
    static std::atomic<int> live;
    static std::atomic<int> destroyed;
    Counted() { live++; }
    Counted(const Counted&) { live++; }
    Counted(Counted&&) noexcept { live++; }
    Counted& operator=(const Counted&) = default;
    ~Counted() {
        live--;
        destroyed++;
    }
};
std::atomic<int> Counted::live{0};
std::atomic<int> Counted::destroyed{0};

// A gate tasks wait on, with a bound.
class Gate {
public:
    void open() {
        std::lock_guard<std::mutex> g(mu_);
        open_ = true;
        cv_.notify_all();
    }
    bool wait(std::chrono::milliseconds limit = 30s) {
        std::unique_lock<std::mutex> g(mu_);
        return cv_.wait_for(g, limit, [this] { return open_; });
    }

private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool open_ = false;
};

template <class F>
bool eventually(F&& f, std::chrono::milliseconds limit = 30s) {
    auto end = std::chrono::steady_clock::now() + limit;
    while (!f()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

struct Events : hpsocket::ThreadPoolListener {
    std::atomic<int> startups{0}, shutdowns{0}, worker_starts{0}, worker_ends{0};
    std::atomic<bool> startup_on_caller{false}, shutdown_on_caller{false};
    std::thread::id caller = std::this_thread::get_id();
    std::mutex mu;
    std::set<THR_ID> threads;
    std::vector<std::string> exceptions;

    void OnStartup(hpsocket::ThreadPoolView& v) override {
        startups++;
        startup_on_caller = std::this_thread::get_id() == caller && v.GetState() == hpsocket::ServiceState::Starting;
    }
    void OnShutdown(hpsocket::ThreadPoolView&) override {
        shutdowns++;
        shutdown_on_caller = std::this_thread::get_id() == caller;
    }
    void OnWorkerThreadStart(hpsocket::ThreadPoolView&, THR_ID id) override {
        worker_starts++;
        EXPECT_EQ(id, static_cast<THR_ID>(pthread_self()));
        std::lock_guard<std::mutex> g(mu);
        threads.insert(id);
    }
    void OnWorkerThreadEnd(hpsocket::ThreadPoolView&, THR_ID) override { worker_ends++; }
    void OnException(const char* cb, std::exception_ptr e) noexcept override {
        std::string what = cb;
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            what += std::string(":") + x.what();
        } catch (...) {
        }
        std::lock_guard<std::mutex> g(mu);
        exceptions.push_back(what);
    }
};

}  // namespace

TEST(ThreadPool, TenThousandTasksBoundedQueueWaitForEachRunsOnce) {
    Events ev;
    ThreadPool pool(ev);
    ASSERT_TRUE(pool);
    EXPECT_FALSE(pool.HasStarted());
    EXPECT_EQ(pool.GetState(), hpsocket::ServiceState::Stopped);
    ASSERT_TRUE(pool.Start(4, 64, RejectedPolicy::WaitFor)) << pool.last_error().message;
    EXPECT_TRUE(pool.HasStarted());
    EXPECT_EQ(pool.GetThreadCount(), 4u);
    EXPECT_EQ(pool.GetMaxQueueSize(), 64u);
    EXPECT_EQ(pool.GetRejectedPolicy(), RejectedPolicy::WaitFor);

    constexpr int kTasks = 10000;
    std::vector<std::atomic<int>> runs(kTasks);
    std::atomic<DWORD> max_queue{0};
    int live_before = Counted::live;
    for (int i = 0; i < kTasks; i++) {
        Counted c;
        ASSERT_TRUE(pool.Submit([&runs, &max_queue, &pool, i, c] {
            (void)c;
            runs[static_cast<std::size_t>(i)]++;
            DWORD q = pool.GetQueueSize();
            DWORD m = max_queue.load();
            while (q > m && !max_queue.compare_exchange_weak(m, q)) {
            }
        })) << i << ": " << pool.last_error().message;
    }
    ASSERT_TRUE(pool.Stop()) << pool.last_error().message;  // drains the queue
    EXPECT_EQ(pool.GetState(), hpsocket::ServiceState::Stopped);
    for (int i = 0; i < kTasks; i++) ASSERT_EQ(runs[static_cast<std::size_t>(i)].load(), 1) << i;
    EXPECT_LE(max_queue.load(), 64u);
    EXPECT_EQ(Counted::live, live_before);  // every closure destroyed
    // Stop resets the run's settings.
    EXPECT_EQ(pool.GetThreadCount(), 0u);
    EXPECT_EQ(pool.GetMaxQueueSize(), 0u);
    EXPECT_EQ(pool.GetRejectedPolicy(), RejectedPolicy::CallFail);

    EXPECT_EQ(ev.startups, 1);
    EXPECT_EQ(ev.shutdowns, 1);
    EXPECT_TRUE(ev.startup_on_caller);
    EXPECT_TRUE(ev.shutdown_on_caller);
    EXPECT_EQ(ev.worker_starts, 4);
    EXPECT_EQ(ev.worker_ends, 4);
    std::lock_guard<std::mutex> g(ev.mu);
    EXPECT_EQ(ev.threads.size(), 4u);
}

TEST(ThreadPool, CallFailRefusalDestroysTheClosure) {
    ThreadPool pool;
    ASSERT_TRUE(pool.Start(1, 1, RejectedPolicy::CallFail));
    Gate gate;
    Latch started(1);
    std::atomic<int> ran{0};
    ASSERT_TRUE(pool.Submit([&] {
        started.count_down();
        gate.wait();
        ran++;
    }));
    ASSERT_TRUE(started.wait());
    ASSERT_TRUE(pool.Submit([&] { ran++; }));  // fills the queue (1)
    EXPECT_EQ(pool.GetQueueSize(), 1u);

    int live_before = Counted::live;
    int destroyed_before = Counted::destroyed;
    std::atomic<bool> refused_ran{false};
    {
        Counted c;
        EXPECT_FALSE(pool.Submit([c, &refused_ran] {
            (void)c;
            refused_ran = true;
        }));
        EXPECT_EQ(hpsocket::last_errno(), EXFULL);
        EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::IllegalState) << pool.last_error().message;
        // Only our local `c` is alive: the pool's copy is gone already.
        EXPECT_EQ(Counted::live, live_before + 1);
    }
    EXPECT_EQ(Counted::live, live_before);
    EXPECT_GE(Counted::destroyed - destroyed_before, 2);  // the local and the closure's copy at least

    gate.open();
    ASSERT_TRUE(pool.Stop());
    EXPECT_EQ(ran, 2);
    EXPECT_FALSE(refused_ran);
}

TEST(ThreadPool, StopWithTasksPendingDrainsThem) {
    ThreadPool pool;
    ASSERT_TRUE(pool.Start(1));
    Gate gate;
    Latch started(1);
    std::atomic<int> ran{0};
    ASSERT_TRUE(pool.Submit([&] {
        started.count_down();
        gate.wait();
    }));
    ASSERT_TRUE(started.wait());
    for (int i = 0; i < 50; i++) ASSERT_TRUE(pool.Submit([&] { ran++; }));
    EXPECT_EQ(pool.GetQueueSize(), 50u);
    std::thread opener([&] {
        std::this_thread::sleep_for(50ms);
        gate.open();
    });
    EXPECT_TRUE(pool.Stop());  // kInfinite: every queued task runs first
    opener.join();
    EXPECT_EQ(ran, 50);
    // Stopped: submits are refused (IllegalState) and their closures destroyed.
    int live_before = Counted::live;
    Counted c;
    EXPECT_FALSE(pool.Submit([c] { (void)c; }));
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::IllegalState);
    EXPECT_EQ(Counted::live, live_before + 1);
}

TEST(ThreadPool, StopWaitRunsOutDropsQueuedClosures) {
    Events ev;
    ThreadPool pool(ev);
    ASSERT_TRUE(pool.Start(1));
    Gate gate;
    Latch started(1);
    std::atomic<int> ran{0};
    int live_before = Counted::live;
    {
        Counted c;
        ASSERT_TRUE(pool.Submit([&, c] {
            (void)c;
            started.count_down();
            gate.wait();
            ran++;
        }));
        ASSERT_TRUE(started.wait());
        for (int i = 0; i < 100; i++)
            ASSERT_TRUE(pool.Submit([&ran, c] {
                (void)c;
                ran++;
            }));
    }
    EXPECT_EQ(Counted::live, live_before + 101);  // the running task's closure and 100 queued
    EXPECT_FALSE(pool.Stop(100));                 // the worker is stuck: the wait runs out
    EXPECT_EQ(hpsocket::last_errno(), ECANCELED);
    EXPECT_EQ(pool.GetState(), hpsocket::ServiceState::Stopped);
    EXPECT_EQ(pool.GetQueueSize(), 0u);
    // The 100 dropped closures wait until no worker can still hold a taken task.
    EXPECT_EQ(ran, 0);
    gate.open();
    EXPECT_TRUE(eventually([&] { return Counted::live == live_before; })) << Counted::live - live_before << " closures alive";
    EXPECT_EQ(ran, 1);  // only the running task ran
    EXPECT_TRUE(eventually([&] { return ev.worker_ends == 1; }));

    // The pool starts again and works.
    ASSERT_TRUE(pool.Start(2));
    Latch two(2);
    ASSERT_TRUE(pool.Submit([&] { two.count_down(); }));
    ASSERT_TRUE(pool.Submit([&] { two.count_down(); }));
    EXPECT_TRUE(two.wait());
}

TEST(ThreadPool, DestructorFreesClosuresOfATimedOutStopAndWaitsForTheWorker) {
    int live_before = Counted::live;
    std::atomic<int> ran{0};
    Gate gate;
    std::thread opener;
    {
        ThreadPool pool;
        ASSERT_TRUE(pool.Start(1));
        Latch started(1);
        Counted c;
        ASSERT_TRUE(pool.Submit([&] {
            started.count_down();
            gate.wait();
            ran++;
        }));
        ASSERT_TRUE(started.wait());
        for (int i = 0; i < 10; i++) ASSERT_TRUE(pool.Submit([c] { (void)c; }));
        EXPECT_FALSE(pool.Stop(50));
        opener = std::thread([&] {
            std::this_thread::sleep_for(100ms);
            gate.open();
        });
        // The destructor waits for the task the timed-out Stop left running.
    }
    opener.join();
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(Counted::live, live_before);
}

TEST(ThreadPool, AdjustThreadCountWhileBusy) {
    Events ev;
    ThreadPool pool(ev);
    ASSERT_TRUE(pool.Start(2));
    std::atomic<int> running{0}, peak{0}, done{0};
    auto task = [&] {
        int now = ++running;
        int p = peak.load();
        while (now > p && !peak.compare_exchange_weak(p, now)) {
        }
        std::this_thread::sleep_for(5ms);
        running--;
        done++;
    };
    constexpr int kFirst = 200;
    for (int i = 0; i < kFirst; i++) ASSERT_TRUE(pool.Submit(task));
    EXPECT_TRUE(eventually([&] { return peak >= 2; }));
    EXPECT_LE(peak, 2);
    ASSERT_TRUE(pool.AdjustThreadCount(6)) << pool.last_error().message;
    EXPECT_EQ(pool.GetThreadCount(), 6u);
    EXPECT_TRUE(eventually([&] { return peak >= 6 || done == kFirst; }));
    EXPECT_EQ(peak, 6);
    EXPECT_TRUE(eventually([&] { return ev.worker_starts == 6; }));

    // Down to 1 while tasks still run: surplus workers finish their task and leave.
    for (int i = 0; i < 100; i++) ASSERT_TRUE(pool.Submit(task));
    ASSERT_TRUE(pool.AdjustThreadCount(1));
    EXPECT_EQ(pool.GetThreadCount(), 1u);
    EXPECT_TRUE(eventually([&] { return ev.worker_ends == 5; }));
    peak = 0;
    EXPECT_TRUE(eventually([&] { return done == kFirst + 100; }));
    EXPECT_LE(peak, 1);
    // From inside a task, too.
    Latch adjusted(1);
    ASSERT_TRUE(pool.Submit([&] {
        if (pool.AdjustThreadCount(3)) adjusted.count_down();
    }));
    EXPECT_TRUE(adjusted.wait());
    EXPECT_TRUE(eventually([&] { return ev.worker_starts == 8; }));
    ASSERT_TRUE(pool.Stop());
    EXPECT_EQ(ev.worker_ends, 8);
    EXPECT_FALSE(pool.AdjustThreadCount(2));  // stopped
}

TEST(ThreadPool, CallerRunRunsOnTheSubmitter) {
    ThreadPool pool;
    ASSERT_TRUE(pool.Start(1, 1, RejectedPolicy::CallerRun));
    Gate gate;
    Latch started(1);
    ASSERT_TRUE(pool.Submit([&] {
        started.count_down();
        gate.wait();
    }));
    ASSERT_TRUE(started.wait());
    ASSERT_TRUE(pool.Submit([] {}));  // queued
    std::thread::id where;
    int live_before = Counted::live;
    {
        Counted c;
        ASSERT_TRUE(pool.Submit([&where, c] {
            (void)c;
            where = std::this_thread::get_id();
        }));
    }
    EXPECT_EQ(where, std::this_thread::get_id());
    EXPECT_EQ(Counted::live, live_before);
    gate.open();
    EXPECT_TRUE(pool.Stop());
}

TEST(ThreadPool, RefusalsAndExceptions) {
    Events ev;
    ThreadPool pool(ev);
    // Not started.
    EXPECT_FALSE(pool.Submit([] {}));
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::IllegalState);
    EXPECT_FALSE(pool.Stop());
    EXPECT_TRUE(pool.Wait(0));  // stopped already
    // Bad arguments.
    EXPECT_FALSE(pool.Start(20000));
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::InvalidParam);
    EXPECT_EQ(pool.GetState(), hpsocket::ServiceState::Stopped);
    EXPECT_FALSE(pool.Start(1, 0, static_cast<RejectedPolicy>(7)));
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::InvalidParam);

    ASSERT_TRUE(pool.Start(2));
    EXPECT_FALSE(pool.Start(2));  // started already
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::IllegalState);
    EXPECT_FALSE(pool.Submit(std::function<void()>()));
    EXPECT_EQ(pool.last_error().code, hpsocket::SocketError::InvalidParam);

    // A task's exception goes to OnException; the worker goes on.
    Latch after(1);
    ASSERT_TRUE(pool.Submit([] { throw std::runtime_error("boom"); }));
    ASSERT_TRUE(pool.Submit([&] { after.count_down(); }));
    EXPECT_TRUE(after.wait());
    EXPECT_TRUE(eventually([&] {
        std::lock_guard<std::mutex> g(ev.mu);
        return ev.exceptions.size() == 1;
    }));
    {
        std::lock_guard<std::mutex> g(ev.mu);
        EXPECT_EQ(ev.exceptions[0], "task:boom");
    }

    // Stop, Wait and Start from one of the pool's own tasks are refused; Submit works there.
    std::atomic<bool> stop_ok{true}, wait_ok{true};
    std::atomic<int> stop_code{0};
    Latch inner(1), checked(1);
    ASSERT_TRUE(pool.Submit([&] {
        stop_ok = pool.Stop();
        stop_code = static_cast<int>(pool.last_error().code);
        wait_ok = pool.Wait(10);
        if (!pool.Submit([&] { inner.count_down(); })) ADD_FAILURE() << "Submit from a task";
        checked.count_down();
    }));
    ASSERT_TRUE(checked.wait());
    EXPECT_FALSE(stop_ok);
    EXPECT_EQ(stop_code, static_cast<int>(hpsocket::SocketError::IllegalState));
    EXPECT_FALSE(wait_ok);
    EXPECT_TRUE(inner.wait());
    EXPECT_TRUE(pool.HasStarted());

    // Wait from another thread returns once the pool stopped.
    std::thread stopper([&] {
        std::this_thread::sleep_for(30ms);
        EXPECT_TRUE(pool.Stop());
    });
    EXPECT_FALSE(pool.Wait(1));
    EXPECT_EQ(hpsocket::last_errno(), ETIMEDOUT);
    EXPECT_TRUE(pool.Wait());
    stopper.join();
}

TEST(ThreadPool, MoveKeepsRunningTasks) {
    ThreadPool a;
    ASSERT_TRUE(a.Start(2));
    std::atomic<int> ran{0};
    Gate gate;
    for (int i = 0; i < 20; i++)
        ASSERT_TRUE(a.Submit([&] {
            gate.wait();
            ran++;
        }));
    ThreadPool b(std::move(a));
    EXPECT_FALSE(a.IsValid());  // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(b.IsValid());
    ThreadPool c;
    c = std::move(b);
    gate.open();
    ASSERT_TRUE(c.Submit([&] { ran++; }));
    EXPECT_TRUE(c.Stop());
    EXPECT_EQ(ran, 21);
}

namespace {

std::atomic<int> socket_task_runs{0};
std::string socket_task_seen;

void socket_task_proc(TSocketTask* t) {
    socket_task_seen.assign(reinterpret_cast<const char*>(t->buf), static_cast<std::size_t>(t->bufLen));
    socket_task_seen += "/" + std::to_string(t->connID) + "/" + std::to_string(t->wparam) + "/" + std::to_string(t->lparam);
    socket_task_runs++;
}

}  // namespace

TEST(ThreadPool, SocketTasks) {
    socket_task_runs = 0;
    socket_task_seen.clear();
    ThreadPool pool;
    char buffer[] = "payload";
    hpsocket::SocketTask refused(&socket_task_proc, nullptr, 7, buffer, 7, hpsocket::TaskBufferType::Copy, 1, -2);
    ASSERT_TRUE(refused);
    EXPECT_FALSE(pool.SubmitTask(refused));  // not started: it stays ours
    EXPECT_TRUE(refused.IsValid());

    ASSERT_TRUE(pool.Start(1));
    buffer[0] = 'P';  // the task has its own copy
    ASSERT_TRUE(pool.SubmitTask(refused));
    EXPECT_FALSE(refused.IsValid());  // the pool's now
    EXPECT_TRUE(eventually([] { return socket_task_runs == 1; }));
    EXPECT_EQ(socket_task_seen, "payload/7/1/-2");

    // Attach: the pool frees the malloc block with the task.
    auto* block = static_cast<BYTE*>(SYS_Malloc(3));
    std::memcpy(block, "abc", 3);
    ASSERT_TRUE(pool.SubmitTask(hpsocket::SocketTask(&socket_task_proc, nullptr, 9, block, 3, hpsocket::TaskBufferType::Attach)));
    ASSERT_TRUE(pool.Stop());
    EXPECT_EQ(socket_task_runs, 2);
    EXPECT_EQ(socket_task_seen, "abc/9/0/0");

    // Bad arguments make an invalid task.
    hpsocket::SocketTask bad(nullptr, nullptr, 0, nullptr, 0);
    EXPECT_FALSE(bad);
    EXPECT_EQ(hpsocket::thread_last_error().code, hpsocket::SocketError::InvalidParam);
    // A refused temporary is destroyed with it (the sanitizer build would see a leak).
    EXPECT_FALSE(pool.SubmitTask(hpsocket::SocketTask(&socket_task_proc, nullptr, 1, "x", 1)));
}
